package dev.scanflow.trigger;

import static dev.scanflow.common.PgValues.instant;
import static dev.scanflow.common.PgValues.odt;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.common.PgValues;
import dev.scanflow.pipeline.definition.TriggerSpec;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of schedule state ({@code schedules}): one row per schedule trigger of a pipeline's
 * latest active version, kept in step with the templates by {@link #sync}, with the next nominal
 * fire, the last one, and whether it is paused.
 */
@ApplicationScoped
public class Schedules {

    /** A schedule as stored: its trigger's definition and where it stands. */
    public record State(UUID pipelineId, String triggerKey, int position, UUID tenantId, String pipelineName, TriggerSpec trigger,
            boolean active, boolean paused, Instant pausedAt, Instant baselineAt, Instant nextFireAt,
            Instant lastFireAt) {
    }

    static final String COLUMNS = "pipeline_id, trigger_key, position, tenant_id, pipeline_name, definition, active, paused, "
            + "paused_at, baseline_at, next_fire_at, last_fire_at";

    /**
     * The schedule triggers of every latest active version, keyed by name or position. New ones,
     * and ones whose definition changed, start from {@code $1}: no fire before it counts.
     */
    private static final String CURRENT = "WITH current AS (SELECT t.pipeline_id, t.tenant_id, t.name, "
            + "coalesce(tr ->> 'name', (ord - 1)::text) AS trigger_key, (ord - 1)::int AS position, tr AS definition, md5(tr::text) AS hash "
            + "FROM pipeline_templates t, jsonb_array_elements(t.triggers -> 'items') WITH ORDINALITY AS x(tr, ord) "
            + "WHERE t.is_latest AND t.is_active AND t.tenant_id IS NOT NULL AND tr ->> 'type' = 'schedule' "
            + "AND ($2::uuid IS NULL OR t.pipeline_id = $2)";

    private static final String PAUSED_AS_WRITTEN = "coalesce((c.definition ->> 'paused')::boolean, FALSE)";
    private static final String WRITTEN_PAUSED_CHANGED = "coalesce((schedules.definition ->> 'paused')::boolean, FALSE) "
            + "<> coalesce((EXCLUDED.definition ->> 'paused')::boolean, FALSE)";

    private final Pool pool;
    private final ObjectMapper mapper;

    public Schedules(Pool pool, ObjectMapper mapper) {
        this.pool = pool;
        this.mapper = mapper;
    }

    /**
     * Brings the schedules in step with the templates: every pipeline's, or one's
     * ({@code pipelineId} not null). Safe on every replica at once.
     */
    Uni<Void> sync(Instant now, UUID pipelineId) {
        String upsert = CURRENT + (") INSERT INTO schedules (pipeline_id, trigger_key, tenant_id, pipeline_name, position, "
                + "definition, definition_hash, baseline_at, paused, paused_at) SELECT c.pipeline_id, c.trigger_key, "
                + "c.tenant_id, c.name, c.position, c.definition, c.hash, $1, " + PAUSED_AS_WRITTEN + ", CASE WHEN "
                + PAUSED_AS_WRITTEN + " THEN $1::timestamptz END FROM current c LEFT JOIN schedules s ON s.pipeline_id = c.pipeline_id "
                + "AND s.trigger_key = c.trigger_key WHERE s.pipeline_id IS NULL OR s.definition_hash <> c.hash "
                + "OR NOT s.active OR s.pipeline_name <> c.name OR s.position <> c.position ORDER BY c.pipeline_id, c.trigger_key "
                // only new and changed rows are touched: an unchanged schedule is never locked here
                + "ON CONFLICT (pipeline_id, trigger_key) DO UPDATE SET definition = EXCLUDED.definition, "
                + "pipeline_name = EXCLUDED.pipeline_name, position = EXCLUDED.position, "
                // a new definition, or a schedule back after it was gone: nothing before now counts
                + "baseline_at = CASE WHEN schedules.definition_hash <> EXCLUDED.definition_hash OR NOT schedules.active "
                + "THEN $1 ELSE schedules.baseline_at END, "
                + "next_fire_at = CASE WHEN schedules.definition_hash <> EXCLUDED.definition_hash OR NOT schedules.active "
                + "THEN NULL ELSE schedules.next_fire_at END, "
                // the template's paused is the schedule's starting state; the pause and resume calls
                // change it later, and so does a new value written in the template
                + "paused = CASE WHEN " + WRITTEN_PAUSED_CHANGED + " THEN EXCLUDED.paused ELSE schedules.paused END, "
                + "paused_at = CASE WHEN " + WRITTEN_PAUSED_CHANGED + " THEN EXCLUDED.paused_at "
                + "ELSE schedules.paused_at END, "
                + "definition_hash = EXCLUDED.definition_hash, active = TRUE, updated_at = now()");
        String retire = CURRENT + (") UPDATE schedules s SET active = FALSE, next_fire_at = NULL, updated_at = now() "
                + "WHERE s.active AND ($2::uuid IS NULL OR s.pipeline_id = $2) AND $1::timestamptz IS NOT NULL "
                + "AND NOT EXISTS (SELECT 1 FROM current c WHERE c.pipeline_id = s.pipeline_id "
                + "AND c.trigger_key = s.trigger_key)");
        Tuple args = Tuple.of(odt(now), pipelineId);
        return pool.withTransaction(tx -> tx.preparedQuery(upsert).execute(args)
                .chain(() -> tx.preparedQuery(retire).execute(args)).replaceWithVoid());
    }

    /** Active, unpaused schedules whose next fire is not computed yet. */
    Uni<List<State>> unplanned() {
        return select("SELECT " + COLUMNS + " FROM schedules WHERE active AND NOT paused AND next_fire_at IS NULL LIMIT 500",
                Tuple.tuple());
    }

    /** Active, unpaused schedules due at {@code now}. */
    Uni<List<State>> due(Instant now, int limit) {
        return select("SELECT " + COLUMNS + " FROM schedules WHERE active AND NOT paused AND next_fire_at <= $1 "
                + "ORDER BY next_fire_at LIMIT $2", Tuple.of(odt(now), limit));
    }

    /** Locks a schedule that is still due, skipping it when another replica holds it; null then. */
    Uni<State> lockDue(SqlClient tx, UUID pipelineId, String key, Instant now) {
        return tx.preparedQuery("SELECT " + COLUMNS + " FROM schedules WHERE pipeline_id = $1 AND trigger_key = $2 "
                        + "AND active AND NOT paused AND next_fire_at <= $3 FOR UPDATE SKIP LOCKED")
                .execute(Tuple.of(pipelineId, key, odt(now)))
                .map(rows -> rows.size() == 0 ? null : state(rows.iterator().next()));
    }

    /** Locks a schedule whatever its state (the fire endpoint); waits for another holder. */
    Uni<State> lock(SqlClient tx, UUID pipelineId, String key) {
        return tx.preparedQuery("SELECT " + COLUMNS + " FROM schedules WHERE pipeline_id = $1 AND trigger_key = $2 FOR UPDATE")
                .execute(Tuple.of(pipelineId, key))
                .map(rows -> rows.size() == 0 ? null : state(rows.iterator().next()));
    }

    /** Sets the next fire computed from {@code state}, unless the schedule changed since it was read. */
    Uni<Void> plan(State state, Instant next) {
        return pool.preparedQuery("UPDATE schedules SET next_fire_at = $3 WHERE pipeline_id = $1 AND trigger_key = $2 "
                        + "AND next_fire_at IS NULL AND baseline_at = $4")
                .execute(Tuple.of(state.pipelineId(), state.triggerKey(), odt(next), odt(state.baselineAt())))
                .replaceWithVoid();
    }

    Uni<Void> advance(SqlClient tx, UUID pipelineId, String key, Instant lastFire, Instant next) {
        return tx.preparedQuery("UPDATE schedules SET last_fire_at = coalesce($3, last_fire_at), next_fire_at = $4, "
                        + "updated_at = now() WHERE pipeline_id = $1 AND trigger_key = $2")
                .execute(Tuple.of(pipelineId, key, odt(lastFire), odt(next))).replaceWithVoid();
    }

    /** The schedules of a pipeline, in the template's order. */
    public Uni<List<State>> of(UUID tenant, UUID pipelineId) {
        return select("SELECT " + COLUMNS + " FROM schedules WHERE tenant_id = $1 AND pipeline_id = $2 AND active "
                + "ORDER BY position", Tuple.of(tenant, pipelineId));
    }

    /**
     * Pauses or resumes. Resuming moves the baseline to when the pause began (or a later edit):
     * the fires the pause held back are then missed fires, and the trigger's catch-up decides
     * (none: nothing runs until the next fire; latest: the latest within the window, once).
     */
    Uni<Boolean> setPaused(UUID tenant, UUID pipelineId, String key, boolean paused, Instant now) {
        if (paused) {
            return pool.preparedQuery("UPDATE schedules SET paused_at = CASE WHEN paused THEN paused_at ELSE $4 END, "
                            + "paused = TRUE, updated_at = now() WHERE tenant_id = $1 AND pipeline_id = $2 "
                            + "AND trigger_key = $3 AND active RETURNING 1")
                    .execute(Tuple.of(tenant, pipelineId, key, odt(now))).map(rows -> rows.size() == 1);
        }
        return pool.preparedQuery("UPDATE schedules SET baseline_at = CASE WHEN paused THEN greatest(baseline_at, paused_at) "
                        + "ELSE baseline_at END, next_fire_at = CASE WHEN paused THEN NULL ELSE next_fire_at END, "
                        + "paused = FALSE, paused_at = NULL, updated_at = now() WHERE tenant_id = $1 AND pipeline_id = $2 "
                        + "AND trigger_key = $3 AND active RETURNING 1")
                .execute(Tuple.of(tenant, pipelineId, key)).map(rows -> rows.size() == 1);
    }

    private Uni<List<State>> select(String sql, Tuple args) {
        return pool.preparedQuery(sql).execute(args).map(rows -> {
            List<State> out = new ArrayList<>();
            rows.forEach(r -> out.add(state(r)));
            return out;
        });
    }

    private State state(Row r) {
        return new State(r.getUUID("pipeline_id"), r.getString("trigger_key"), r.getInteger("position"), r.getUUID("tenant_id"),
                r.getString("pipeline_name"), mapper.convertValue(PgValues.json(r, "definition"), TriggerSpec.class),
                r.getBoolean("active"), r.getBoolean("paused"), instant(r, "paused_at"), instant(r, "baseline_at"),
                instant(r, "next_fire_at"), instant(r, "last_fire_at"));
    }
}
