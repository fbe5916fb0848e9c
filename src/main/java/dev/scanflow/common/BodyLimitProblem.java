package dev.scanflow.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Quarkus refuses a body over {@code quarkus.http.limits.max-body-size} with a bare 413 (before
 * any resource or exception mapper runs when the Content-Length says so, and from the body stream
 * when a chunked body grows past it). This route runs just before Quarkus' own check and answers
 * the same refusal as problem+json, naming the limit: at once for a Content-Length over it, and
 * for a chunked body by reading it here (Vert.x' BodyHandler, which REST then reads from) with the
 * same limit. The connection is closed afterwards, as Quarkus does, since the body is not read.
 */
@ApplicationScoped
public class BodyLimitProblem {

    /** Quarkus' own check runs at order -2. */
    private static final int ORDER = -3;

    private static final String ANSWERED = BodyLimitProblem.class.getName();

    private final Optional<MemorySize> limit;
    private final ObjectMapper mapper;

    public BodyLimitProblem(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> limit,
            ObjectMapper mapper) {
        this.limit = limit;
        this.mapper = mapper;
    }

    void route(@Observes Router router) {
        if (limit.isEmpty()) {
            return;
        }
        long max = limit.get().asLongValue();
        String detail = ApiException.tooLargeDetail(max, "quarkus.http.limits.max-body-size, QUARKUS_HTTP_LIMITS_MAX_BODY_SIZE");
        BodyHandler chunked = BodyHandler.create(false).setBodyLimit(max).setMergeFormAttributes(false);
        router.route().order(ORDER).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length == null) {
                if (ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
                    chunked.handle(ctx); // fails the request with 413 past the limit, else goes on with the body read
                } else {
                    ctx.next();
                }
                return;
            }
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1; // Quarkus' own check and the HTTP codec judge it
            }
            if (declared > max) {
                tooLarge(ctx, detail);
            } else {
                ctx.next();
            }
        }).failureHandler(ctx -> {
            if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
                tooLarge(ctx, detail);
            } else if (ctx.get(ANSWERED) != null) {
                // the rest of the refused body, cut off by closing the connection: already answered
            } else {
                ctx.next();
            }
        });
    }

    private void tooLarge(RoutingContext ctx, String detail) {
        ctx.put(ANSWERED, Boolean.TRUE);
        String body;
        try {
            body = mapper.writeValueAsString(new Problem(Problem.TYPE_BASE + "payload-too-large", "Payload too large",
                    413, detail, ctx.request().path(), List.of()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .endHandler(v -> ctx.request().connection().close())
                .end(body);
    }
}
