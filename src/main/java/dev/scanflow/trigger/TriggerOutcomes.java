package dev.scanflow.trigger;

import static dev.scanflow.common.PgValues.instant;
import static dev.scanflow.common.PgValues.odt;

import dev.scanflow.engine.PlannedWrite;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * What triggers did: every run a trigger started, and every start it did not make (skipped,
 * queued, replaced, missed, held, debounced, filtered, unmatched) with its reason, in
 * {@code trigger_outcomes} and in {@code scanflow_trigger_outcomes_total{trigger_type,outcome}}.
 */
@ApplicationScoped
public class TriggerOutcomes {

    /** One outcome; written with the plan that decided it. */
    @RegisterForReflection
    public record Outcome(UUID tenantId, UUID pipelineId, String triggerKey, String triggerType, Instant fireAt,
            UUID assetId, String outcome, String reason, UUID runId, Instant createdAt) {

        public Outcome(UUID tenantId, UUID pipelineId, String triggerKey, String triggerType, Instant fireAt,
                UUID assetId, String outcome, String reason, UUID runId) {
            this(tenantId, pipelineId, triggerKey, triggerType, fireAt, assetId, outcome, reason, runId, null);
        }
    }

    private static final String INSERT = "INSERT INTO trigger_outcomes (tenant_id, pipeline_id, trigger_key, trigger_type, "
            + "fire_at, asset_id, outcome, reason, run_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

    private final Pool pool;
    private final MeterRegistry metrics;

    public TriggerOutcomes(Pool pool, MeterRegistry metrics) {
        this.pool = pool;
        this.metrics = metrics;
    }

    /** The outcomes' rows, written with the plan that decided them. */
    public static List<PlannedWrite> insert(List<Outcome> outcomes) {
        List<Tuple> rows = new ArrayList<>();
        for (Outcome o : outcomes) {
            rows.add(Tuple.from(Arrays.asList(o.tenantId(), o.pipelineId(), o.triggerKey(), o.triggerType(),
                    odt(o.fireAt()), o.assetId(), o.outcome(), o.reason(), o.runId())));
        }
        return PlannedWrite.batch(INSERT, rows);
    }

    /** The outcomes, in the caller's own transaction (one that starts no runs). */
    public Uni<Void> record(SqlClient tx, List<Outcome> outcomes) {
        return Multi.createFrom().iterable(insert(outcomes))
                .onItem().transformToUniAndConcatenate(w -> tx.preparedQuery(w.sql()).executeBatch(w.rows()))
                .collect().last().replaceWithVoid();
    }

    /** Counted once committed. */
    public void count(List<Outcome> outcomes) {
        outcomes.forEach(o -> metrics.counter("scanflow.trigger.outcomes", "trigger_type", o.triggerType(), "outcome",
                o.outcome()).increment());
    }

    /** The latest outcomes of a pipeline's trigger (or all its triggers: key null), newest first. */
    public Uni<List<Outcome>> recent(UUID tenant, UUID pipelineId, String key, int limit) {
        return recent(tenant, pipelineId, key, null, limit);
    }

    /** The same, optionally of one trigger type too. */
    public Uni<List<Outcome>> recent(UUID tenant, UUID pipelineId, String key, String type, int limit) {
        String sql = "SELECT * FROM trigger_outcomes WHERE tenant_id = $1 AND pipeline_id = $2"
                + " AND ($4::text IS NULL OR trigger_key = $4) AND ($5::text IS NULL OR trigger_type = $5)"
                + " ORDER BY id DESC LIMIT $3";
        return pool.preparedQuery(sql).execute(Tuple.of(tenant, pipelineId, limit, key, type)).map(rows -> {
            List<Outcome> out = new ArrayList<>();
            rows.forEach(r -> out.add(new Outcome(r.getUUID("tenant_id"), r.getUUID("pipeline_id"), r.getString("trigger_key"),
                    r.getString("trigger_type"), instant(r, "fire_at"), r.getUUID("asset_id"), r.getString("outcome"),
                    r.getString("reason"), r.getUUID("run_id"), instant(r, "created_at"))));
            return out;
        });
    }
}
