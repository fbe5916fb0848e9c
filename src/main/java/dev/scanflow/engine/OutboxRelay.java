package dev.scanflow.engine;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.nats.NatsClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.JetStream;
import io.nats.client.PublishOptions;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jboss.logging.Logger;

/**
 * Publishes outbox rows (commands, run events) to JetStream after the transaction that wrote
 * them has committed, with the row id as {@code Nats-Msg-Id} so that a second publish of the same
 * row within the stream's duplicate window is dropped by the server. Published rows are marked
 * in batches; rows a crash left unpublished are found and published again ({@link EngineTicker}).
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final NatsClient nats;
    private final Pool pool;
    private final ScanflowConfig config;
    private final MeterRegistry metrics;
    private final ConcurrentLinkedQueue<OutboxMessage> published = new ConcurrentLinkedQueue<>();

    public OutboxRelay(NatsClient nats, Pool pool, ScanflowConfig config, MeterRegistry metrics) {
        this.nats = nats;
        this.pool = pool;
        this.config = config;
        this.metrics = metrics;
    }

    /** Publishes without waiting; failures leave the rows for the next engine tick. */
    public void publish(List<OutboxMessage> messages) {
        if (messages.isEmpty()) {
            return;
        }
        JetStream js;
        try {
            js = nats.jetStream();
        } catch (java.io.IOException e) {
            LOG.debugf("NATS unavailable; %d messages stay in the outbox", messages.size());
            return;
        }
        for (OutboxMessage m : messages) {
            js.publishAsync(m.subject(), m.payload(), PublishOptions.builder().messageId(m.id().toString()).build())
                    .whenComplete((ack, error) -> {
                        if (error != null) {
                            metrics.counter("scanflow.outbox.publish.failures").increment();
                            LOG.debugf("publish of %s %s failed: %s", m.kind(), m.id(), error.getMessage());
                        } else {
                            published.add(m);
                        }
                    });
        }
    }

    /** Marks what was published since the last call (one statement per table). */
    public Uni<Void> flushMarks() {
        List<UUID> commands = new ArrayList<>();
        List<UUID> events = new ArrayList<>();
        OutboxMessage m;
        while ((m = published.poll()) != null) {
            (m.kind() == OutboxMessage.Kind.COMMAND ? commands : events).add(m.id());
        }
        Uni<Void> result = Uni.createFrom().voidItem();
        if (!commands.isEmpty()) {
            result = result.chain(() -> mark(CommandOutbox.TABLE, commands));
        }
        if (!events.isEmpty()) {
            result = result.chain(() -> mark(EventOutbox.TABLE, events));
        }
        return result;
    }

    private Uni<Void> mark(String table, List<UUID> ids) {
        return pool.preparedQuery("UPDATE " + table + " SET published_at = now() WHERE id = ANY($1) AND published_at IS NULL")
                .execute(Tuple.of(ids.toArray(UUID[]::new))).replaceWithVoid();
    }

    /** Publishes again what stayed unpublished longer than the configured delay (after a crash or outage). */
    public Uni<Integer> republishStale() {
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minus(config.engine().republishAfter());
        return stale(CommandOutbox.TABLE, OutboxMessage.Kind.COMMAND, before)
                .chain(commands -> stale(EventOutbox.TABLE, OutboxMessage.Kind.EVENT, before).map(events -> {
                    List<OutboxMessage> all = new ArrayList<>(commands);
                    all.addAll(events);
                    if (!all.isEmpty()) {
                        LOG.infof("publishing %d outbox messages again", all.size());
                        metrics.counter("scanflow.outbox.republished").increment(all.size());
                    }
                    publish(all);
                    return all.size();
                }));
    }

    private Uni<List<OutboxMessage>> stale(String table, OutboxMessage.Kind kind, OffsetDateTime before) {
        String order = kind == OutboxMessage.Kind.EVENT ? "seq" : "created_at";
        return pool.preparedQuery("SELECT id, subject, payload::text AS payload FROM " + table
                        + " WHERE published_at IS NULL AND created_at < $1 ORDER BY " + order + " LIMIT 500")
                .execute(Tuple.of(before))
                .map(rows -> {
                    List<OutboxMessage> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new OutboxMessage(kind, r.getUUID("id"), r.getString("subject"),
                                r.getString("payload").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    }
                    return out;
                });
    }
}
