package dev.scanflow.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.hibernate.HibernateException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where exceptions become HTTP answers: RFC 7807 problem+json, no stack traces,
 * client errors logged at DEBUG/WARN, server errors at ERROR.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e, HttpServerRequest request) {
        LOG.debugf("%s %s -> %d %s", request.method(), request.path(), e.status(), e.getMessage());
        return problem(e.status(), e.type(), e.title(), e.getMessage(), request, e.errors());
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e, HttpServerRequest request) {
        return Response.fromResponse(problem(401, "unauthorized", "Unauthorized",
                        "a valid bearer token with a UUID tenant_id claim is required", request, List.of()))
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, HttpServerRequest request) {
        return problem(403, "forbidden", "Forbidden", "your role does not allow this operation", request, List.of());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, HttpServerRequest request) {
        return problem(400, "malformed-body", "Malformed request body", e.getOriginalMessage(), request, List.of());
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        String title;
        String detail = e.getMessage();
        if (e instanceof NotFoundException) {
            title = "Not found";
            detail = "no such resource: " + request.path();
        } else if (e instanceof NotAllowedException) {
            title = "Method not allowed";
        } else if (e instanceof NotSupportedException) {
            title = "Unsupported media type";
        } else if (e instanceof NotAcceptableException) {
            title = "Not acceptable";
        } else {
            title = Response.Status.fromStatusCode(status) != null
                    ? Response.Status.fromStatusCode(status).getReasonPhrase() : "Error";
        }
        if (status >= 500) {
            LOG.errorf(e, "%s %s failed", request.method(), request.path());
        }
        return problem(status, title.toLowerCase().replace(' ', '-'), title, detail, request, List.of());
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, HttpServerRequest request) {
        LOG.errorf(e, "%s %s failed", request.method(), request.path());
        return problem(500, "internal-error", "Internal error", "the server failed to handle the request",
                request, List.of());
    }

    @ServerExceptionMapper
    public Response hibernate(HibernateException e, HttpServerRequest request) {
        if (ConstraintViolations.isUniqueViolation(e)) {
            return problem(409, "conflict", "Conflict",
                    "the request conflicts with a concurrent change; read the resource again and retry",
                    request, List.of());
        }
        if (ConstraintViolations.isForeignKeyViolation(e)) {
            return problem(409, "conflict", "Conflict",
                    "the resource is still referenced (for example by pipeline runs)", request, List.of());
        }
        return unexpected(e, request);
    }

    static Response problem(int status, String type, String title, String detail, HttpServerRequest request,
            List<dev.scanflow.domain.ValidationError> errors) {
        Problem body = new Problem(Problem.TYPE_BASE + type, title, status, detail, request.path(), errors);
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(body).build();
    }
}
