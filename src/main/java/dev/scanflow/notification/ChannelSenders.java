package dev.scanflow.notification;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflow.common.StandardWebhookSignature;
import dev.scanflow.config.ScanflowConfig;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Sends one delivery on its channel: Slack (Block Kit over the incoming webhook), a signed
 * webhook (Standard Webhooks: {@code webhook-id} is the delivery's idempotency key), or email
 * (plain text and HTML from Qute templates, through quarkus-mailer's SMTP settings). HTTP
 * targets are checked against {@link TargetPolicy} again after DNS resolution, just before
 * the request. Never blocks the event loop: DNS runs on a worker thread.
 */
@ApplicationScoped
public class ChannelSenders {

    private final WebClient http;
    private final ReactiveMailer mailer;
    private final Template text;
    private final Template html;
    private final TargetPolicy policy;
    private final ObjectMapper mapper;

    public ChannelSenders(Vertx vertx, ReactiveMailer mailer, @Location("notification/run.txt") Template text,
            @Location("notification/run.html") Template html, ScanflowConfig config, ObjectMapper mapper) {
        this.http = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) config.notifications().requestTimeout().toMillis())
                .setIdleTimeout((int) config.notifications().requestTimeout().toSeconds())
                .setFollowRedirects(false) // a redirect could lead anywhere the policy refuses
                .setUserAgent("Scanflow-Notifications/1"));
        this.mailer = mailer;
        this.text = text;
        this.html = html;
        this.policy = new TargetPolicy(config.notifications().allowPrivateTargets());
        this.mapper = mapper;
    }

    @PreDestroy
    void close() {
        http.close();
    }

    Uni<Attempt> send(NotificationSender.Claimed c) {
        return switch (c.type()) {
            case "slack" -> post(c, mapper.createObjectNode().setAll(SlackMessage.of(c.summary())), false);
            case "webhook" -> post(c, event(c), true);
            case "email" -> email(c);
            default -> Uni.createFrom().item(Attempt.permanent(null, "unknown channel type " + c.type()));
        };
    }

    /** The webhook's body: the run's terminal event, its data the run summary. */
    ObjectNode event(NotificationSender.Claimed c) {
        ObjectNode body = mapper.createObjectNode();
        body.put("event", c.event());
        body.put("timestamp", c.createdAt().toString());
        body.set("data", mapper.valueToTree(c.summary()));
        return body;
    }

    private Uni<Attempt> post(NotificationSender.Claimed c, ObjectNode json, boolean signed) {
        String url = c.url();
        return Uni.createFrom().item(() -> policy.problem(url))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(problem -> {
                    if (problem != null) {
                        return Uni.createFrom().item(Attempt.permanent(null, "refused: the URL " + problem));
                    }
                    byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
                    URI uri = URI.create(url);
                    var request = http.requestAbs(HttpMethod.POST, url)
                            .putHeader("Content-Type", "application/json")
                            .timeout(0);
                    if (signed) {
                        long ts = Instant.now().getEpochSecond();
                        request.putHeader("webhook-id", c.key())
                                .putHeader("webhook-timestamp", String.valueOf(ts))
                                .putHeader("webhook-signature", "v1," + StandardWebhookSignature.sign(c.secret(), c.key(), ts, body));
                    }
                    return request.sendBuffer(Buffer.buffer(body))
                            .map(r -> Attempt.ofHttp(r.statusCode(), bodyOf(r),
                                    Backoff.retryAfter(r.getHeader("Retry-After"), Instant.now())))
                            .onFailure().recoverWithItem(e -> Attempt.retry(null, uri.getHost() + ": " + e.getMessage(), null));
                });
    }

    private static String bodyOf(HttpResponse<Buffer> r) {
        return r.body() == null ? null : r.bodyAsString();
    }

    private Uni<Attempt> email(NotificationSender.Claimed c) {
        RunSummary s = c.summary();
        String subject = "[Scanflow] " + s.pipelineName() + " on " + s.assetName() + ": " + s.status().toUpperCase()
                + " (" + s.totalFindings() + " findings)";
        Mail mail = Mail.withText(c.recipients().get(0), subject, text.data("run", s).render())
                .setHtml(html.data("run", s).render())
                .addHeader("X-Scanflow-Notification", c.key());
        mail.setTo(c.recipients());
        return mailer.send(mail)
                .replaceWith(Attempt.delivered(250))
                .onFailure().recoverWithItem(e -> Attempt.retry(null, "SMTP: " + e.getMessage(), null));
    }
}
