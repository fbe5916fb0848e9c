package dev.scanflow.webhook;

import static dev.scanflow.common.PgValues.instant;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.engine.PlannedWrite;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** The delivery log ({@code webhook_deliveries}): what each delivery did, replays found, and the log API. */
@ApplicationScoped
public class WebhookDeliveries {

    private final Pool pool;
    private final ScanflowConfig config;

    public WebhookDeliveries(Pool pool, ScanflowConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** One delivery as logged (and answered). */
    @RegisterForReflection
    public record Delivery(UUID id, String trigger, String deliveryId, String event, String scheme, String outcome,
            String reason, List<UUID> runIds, UUID firstDelivery, Instant receivedAt) {
    }

    private static final String REPEATS = "pipeline_id = $1 AND outcome <> 'replayed' AND ("
            + "(delivery_id = $2 AND received_at > now() - make_interval(secs => $4)) OR "
            + "(body_hash = $3 AND received_at > now() - make_interval(secs => $5)))";

    /** The first delivery this one repeats: the same delivery id within a day, or the same body within the replay window. */
    Uni<Delivery> replayOf(UUID pipelineId, String deliveryId, String bodyHash) {
        return pool.preparedQuery("SELECT * FROM webhook_deliveries WHERE " + REPEATS + " ORDER BY received_at LIMIT 1")
                .execute(repeats(pipelineId, deliveryId, bodyHash))
                .map(rows -> rows.size() == 0 ? null : delivery(rows.iterator().next()));
    }

    /** The first guard of a delivery's plan: the pipeline's deliveries are decided one at a time. */
    static PlannedWrite serialize(UUID pipelineId) {
        return PlannedWrite.of("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", Tuple.of("webhook:" + pipelineId));
    }

    /** The guard that the delivery still repeats nothing (one logged meanwhile: planned again, it is a replay). */
    PlannedWrite stillNew(UUID pipelineId, String deliveryId, String bodyHash) {
        return PlannedWrite.guard("SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries WHERE " + REPEATS + ")",
                repeats(pipelineId, deliveryId, bodyHash));
    }

    private Tuple repeats(UUID pipelineId, String deliveryId, String bodyHash) {
        return Tuple.of(pipelineId, deliveryId, bodyHash, (double) config.webhooks().deliveryIdWindow().toSeconds(),
                (double) config.webhooks().replayWindow().toSeconds());
    }

    /** The delivery's row, written with its plan. */
    static PlannedWrite log(UUID tenant, UUID pipelineId, Delivery d, String bodyHash) {
        return PlannedWrite.of("INSERT INTO webhook_deliveries (id, tenant_id, pipeline_id, trigger_key, delivery_id, "
                        + "body_hash, event, scheme, outcome, reason, run_ids, first_delivery) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                Tuple.from(Arrays.asList(d.id(), tenant, pipelineId, d.trigger(), d.deliveryId(), bodyHash,
                        d.event(), d.scheme(), d.outcome(), d.reason(), d.runIds().toArray(UUID[]::new), d.firstDelivery())));
    }

    /** The pipeline's deliveries, newest first, optionally of one trigger. */
    public Uni<List<Delivery>> recent(UUID tenant, UUID pipelineId, String trigger, int limit) {
        String sql = "SELECT * FROM webhook_deliveries WHERE tenant_id = $1 AND pipeline_id = $2"
                + (trigger == null ? "" : " AND trigger_key = $4") + " ORDER BY received_at DESC LIMIT $3";
        Tuple args = trigger == null ? Tuple.of(tenant, pipelineId, limit) : Tuple.of(tenant, pipelineId, limit, trigger);
        return pool.preparedQuery(sql).execute(args).map(rows -> {
            List<Delivery> out = new ArrayList<>();
            rows.forEach(r -> out.add(delivery(r)));
            return out;
        });
    }

    /** Forgets deliveries older than the retention. */
    @Scheduled(every = "1h", delayed = "2m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> expire() {
        return pool.preparedQuery("DELETE FROM webhook_deliveries WHERE received_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) config.webhooks().retention().toSeconds())).replaceWithVoid();
    }

    private static Delivery delivery(Row r) {
        UUID[] runs = r.getArrayOfUUIDs("run_ids");
        return new Delivery(r.getUUID("id"), r.getString("trigger_key"), r.getString("delivery_id"), r.getString("event"),
                r.getString("scheme"), r.getString("outcome"), r.getString("reason"),
                runs == null ? List.of() : Arrays.asList(runs), r.getUUID("first_delivery"), instant(r, "received_at"));
    }
}
