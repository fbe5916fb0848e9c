package dev.scanflow.notification;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.common.PgValues;
import dev.scanflow.common.SecretBox;
import dev.scanflow.config.ScanflowConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Delivers what the planner recorded, after commit: claims due deliveries (a lease, so a crash
 * hands them to the next pass), sends each without holding a transaction, and records the
 * outcome: delivered; retried with exponential back-off and jitter (and the channel's
 * Retry-After); failed for good on a permanent refusal or after {@code give-up-after}. A Slack
 * webhook gets at most one message per {@code slack-interval} across replicas (its channel row
 * is locked while claiming and its {@code not_before} moved on). Sends run concurrently up to
 * {@code max-in-flight}, each bounded by {@code request-timeout}, so a slow channel holds one
 * slot, never the others.
 */
@ApplicationScoped
public class NotificationSender {

    private static final Logger LOG = Logger.getLogger(NotificationSender.class);
    /** A delivery with what sending it needs from its channel. */
    private static final String CLAIM_COLUMNS = "SELECT d.id, d.idempotency_key, d.channel_id, d.event, d.attempts, "
            + "d.give_up_at, d.message, d.created_at, c.type, c.url, c.secret, c.recipients "
            + "FROM notification_deliveries d JOIN notification_channels c ON c.id = d.channel_id ";

    private final Pool pool;
    private final ScanflowConfig config;
    private final SecretBox box;
    private final ChannelSenders senders;
    private final MeterRegistry metrics;
    private final ObjectMapper mapper;
    private final AtomicInteger inFlight = new AtomicInteger();

    public NotificationSender(Pool pool, ScanflowConfig config, SecretBox box, ChannelSenders senders,
            MeterRegistry metrics, ObjectMapper mapper) {
        this.pool = pool;
        this.config = config;
        this.box = box;
        this.senders = senders;
        this.metrics = metrics;
        this.mapper = mapper;
    }

    @Scheduled(every = "${scanflow.notifications.tick:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return sendDue().onFailure().invoke(e -> LOG.warnf("notification sending failed: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** A delivery as claimed, with its channel's opened secrets. */
    record Claimed(UUID id, String key, String type, String event, int attempts, Instant giveUpAt, RunSummary summary,
            String url, String secret, List<String> recipients, Instant createdAt) {
    }

    /** One pass: claims what is due and starts sending it; the number started. */
    public Uni<Integer> sendDue() {
        int room = config.notifications().maxInFlight() - inFlight.get();
        if (room <= 0) {
            return Uni.createFrom().item(0);
        }
        Duration lease = config.notifications().requestTimeout().multipliedBy(3);
        return pool.withTransaction(tx -> tx.preparedQuery(CLAIM_COLUMNS
                                + "WHERE d.status IN ('pending', 'sending') AND d.next_attempt_at <= now() "
                                + "AND (d.status = 'pending' OR d.lease_until < now()) AND c.not_before <= now() "
                                + "ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE OF d, c SKIP LOCKED")
                        .execute(Tuple.of(room))
                        .chain(rows -> {
                            List<Claimed> claimed = new ArrayList<>();
                            Set<UUID> slackChannels = new HashSet<>();
                            for (Row r : rows) {
                                UUID channel = r.getUUID("channel_id");
                                if ("slack".equals(r.getString("type")) && !slackChannels.add(channel)) {
                                    continue; // one message per Slack webhook and interval
                                }
                                claimed.add(claim(r));
                            }
                            if (claimed.isEmpty()) {
                                return Uni.createFrom().item(claimed);
                            }
                            return tx.preparedQuery("UPDATE notification_deliveries SET status = 'sending', "
                                            + "attempts = attempts + 1, lease_until = now() + make_interval(secs => $2) "
                                            + "WHERE id = ANY($1)")
                                    .execute(Tuple.of(claimed.stream().map(Claimed::id).toArray(UUID[]::new),
                                            (double) lease.toMillis() / 1000))
                                    .chain(() -> slackChannels.isEmpty() ? Uni.createFrom().voidItem()
                                            : tx.preparedQuery("UPDATE notification_channels SET not_before = now() "
                                                            + "+ make_interval(secs => $2) WHERE id = ANY($1)")
                                                    .execute(Tuple.of(slackChannels.toArray(UUID[]::new),
                                                            (double) config.notifications().slackInterval().toMillis() / 1000))
                                                    .replaceWithVoid())
                                    .replaceWith(claimed);
                        }))
                .map(claimed -> {
                    claimed.forEach(this::start);
                    return claimed.size();
                });
    }

    private Claimed claim(Row r) {
        RunSummary summary = mapper.convertValue(PgValues.json(r, "message"), RunSummary.class);
        String url = r.getBuffer("url") == null ? null : box.open(r.getBuffer("url").getBytes());
        String secret = r.getBuffer("secret") == null ? null : box.open(r.getBuffer("secret").getBytes());
        String[] recipients = r.getArrayOfStrings("recipients");
        return new Claimed(r.getUUID("id"), r.getString("idempotency_key"), r.getString("type"), r.getString("event"),
                r.getInteger("attempts") + 1, PgValues.instant(r, "give_up_at"), summary, url, secret,
                recipients == null ? List.of() : List.of(recipients), PgValues.instant(r, "created_at"));
    }

    private void start(Claimed c) {
        inFlight.incrementAndGet();
        attempt(c)
                .chain(attempt -> record(c, attempt))
                .onTermination().invoke(inFlight::decrementAndGet)
                .subscribe().with(ok -> { }, e -> LOG.warnf("recording delivery %s failed: %s", c.id(), e.toString()));
    }

    /** One attempt on the channel, bounded by the request timeout; a failure is an outcome, never an error. */
    private Uni<Attempt> attempt(Claimed c) {
        return senders.send(c)
                .ifNoItem().after(config.notifications().requestTimeout())
                .recoverWithItem(() -> Attempt.retry(null, "no answer within " + config.notifications().requestTimeout()
                        .toSeconds() + " s", null))
                .onFailure().recoverWithItem(e -> Attempt.retry(null, e.getClass().getSimpleName() + ": " + e.getMessage(), null));
    }

    /** The outcome of one attempt, in its own statement (the claim's transaction is long over). */
    Uni<Void> record(Claimed c, Attempt attempt) {
        Instant now = Instant.now();
        String kind = c.type();
        if (attempt.outcome() == Attempt.Outcome.DELIVERED) {
            metrics.counter("scanflow.notifications.sent", "channel_type", kind).increment();
            return pool.preparedQuery("UPDATE notification_deliveries SET status = 'delivered', delivered_at = now(), "
                            + "last_status = $2, last_error = NULL, lease_until = NULL WHERE id = $1")
                    .execute(Tuple.of(c.id(), attempt.status())).replaceWithVoid();
        }
        Duration delay = Backoff.next(c.attempts(), config.notifications().initialBackoff(),
                config.notifications().maxBackoff(), attempt.retryAfter());
        boolean giveUp = attempt.outcome() == Attempt.Outcome.PERMANENT || now.plus(delay).isAfter(c.giveUpAt());
        if (giveUp) {
            metrics.counter("scanflow.notifications.failed", "channel_type", kind).increment();
            LOG.warnf("notification %s to a %s channel failed after %d attempts: %s", c.key(), kind, c.attempts(),
                    attempt.error());
            return pool.preparedQuery("UPDATE notification_deliveries SET status = 'failed', last_status = $2, "
                            + "last_error = $3, lease_until = NULL WHERE id = $1")
                    .execute(Tuple.of(c.id(), attempt.status(), attempt.error())).replaceWithVoid();
        }
        metrics.counter("scanflow.notifications.retried", "channel_type", kind).increment();
        return pool.preparedQuery("UPDATE notification_deliveries SET status = 'pending', last_status = $2, "
                        + "last_error = $3, lease_until = NULL, next_attempt_at = $4 WHERE id = $1")
                .execute(Tuple.of(c.id(), attempt.status(), attempt.error(),
                        OffsetDateTime.ofInstant(now.plus(delay), ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    /** Sends one delivery now, outside the due queue (a channel's test), and records it. */
    public Uni<Attempt> sendNow(UUID deliveryId) {
        return pool.withTransaction(tx -> tx.preparedQuery(CLAIM_COLUMNS + "WHERE d.id = $1 FOR UPDATE OF d")
                        .execute(Tuple.of(deliveryId))
                        .chain(rows -> tx.preparedQuery("UPDATE notification_deliveries SET status = 'sending', "
                                        + "attempts = attempts + 1, lease_until = now() + interval '1 minute' WHERE id = $1")
                                .execute(Tuple.of(deliveryId)).replaceWith(claim(rows.iterator().next()))))
                .chain(c -> attempt(c).call(attempt -> record(c, attempt)));
    }

}
