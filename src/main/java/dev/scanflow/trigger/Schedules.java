package dev.scanflow.trigger;

import static dev.scanflow.common.PgValues.instant;
import static dev.scanflow.common.PgValues.odt;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.common.PgValues;
import dev.scanflow.engine.PlannedWrite;
import dev.scanflow.pipeline.PipelineRows;
import dev.scanflow.pipeline.definition.TriggerSpec;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
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
     * The schedule triggers of every latest active version (as {@code PipelineRows.triggersOfType}
     * reads them, keyed by {@code TriggerSpec.key}), passed in as arrays. New ones, and ones whose
     * definition changed, start from {@code $1}: no fire before it counts.
     */
    private static final String CURRENT = "WITH current AS (SELECT c.pipeline_id, c.tenant_id, c.name, c.trigger_key, "
            + "c.position, c.definition::jsonb AS definition, md5(c.definition::jsonb::text) AS hash "
            + "FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::int[], $8::text[]) "
            + "AS c(pipeline_id, tenant_id, name, trigger_key, position, definition) "
            + "WHERE $2::uuid[] IS NULL OR c.pipeline_id = ANY($2))";

    private static final String PAUSED_AS_WRITTEN = "coalesce((c.definition ->> 'paused')::boolean, FALSE)";
    private static final String WRITTEN_PAUSED_CHANGED = "coalesce((schedules.definition ->> 'paused')::boolean, FALSE) "
            + "<> coalesce((EXCLUDED.definition ->> 'paused')::boolean, FALSE)";

    private final Pool pool;
    private final ObjectMapper mapper;
    private final PipelineRows pipelineRows;

    public Schedules(Pool pool, ObjectMapper mapper, PipelineRows pipelineRows) {
        this.pool = pool;
        this.mapper = mapper;
        this.pipelineRows = pipelineRows;
    }

    /** Brings one pipeline's schedules in step with its latest version. */
    Uni<Void> sync(Instant now, UUID pipelineId) {
        return sync(now, new UUID[] {pipelineId});
    }

    /**
     * Brings the schedules in step with the templates: every pipeline's ({@code pipelineIds}
     * null), or these pipelines'. Safe on every replica at once.
     */
    Uni<Void> sync(Instant now, UUID[] pipelineIds) {
        String upsert = CURRENT + (" INSERT INTO schedules (pipeline_id, trigger_key, tenant_id, pipeline_name, position, "
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
        String retire = CURRENT + (" UPDATE schedules s SET active = FALSE, next_fire_at = NULL, updated_at = now() "
                + "WHERE s.active AND ($2::uuid[] IS NULL OR s.pipeline_id = ANY($2)) AND $1::timestamptz IS NOT NULL "
                + "AND NOT EXISTS (SELECT 1 FROM current c WHERE c.pipeline_id = s.pipeline_id "
                + "AND c.trigger_key = s.trigger_key)");
        return pool.withTransaction(tx -> pipelineRows.triggersOfType(tx, TriggerSpec.SCHEDULE, null, pipelineIds).chain(current -> {
            Tuple args = Tuple.from(java.util.Arrays.asList(odt(now), pipelineIds,
                    current.stream().map(PipelineRows.LatestTrigger::pipelineId).toArray(UUID[]::new),
                    current.stream().map(PipelineRows.LatestTrigger::tenantId).toArray(UUID[]::new),
                    current.stream().map(PipelineRows.LatestTrigger::pipelineName).toArray(String[]::new),
                    current.stream().map(PipelineRows.LatestTrigger::key).toArray(String[]::new),
                    current.stream().map(PipelineRows.LatestTrigger::position).toArray(Integer[]::new),
                    current.stream().map(t -> t.definition().encode()).toArray(String[]::new)));
            return tx.preparedQuery(upsert).execute(args).chain(() -> tx.preparedQuery(retire).execute(args)).replaceWithVoid();
        }));
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

    /** A schedule as it is now; null when there is none. */
    Uni<State> get(UUID pipelineId, String key) {
        return select("SELECT " + COLUMNS + " FROM schedules WHERE pipeline_id = $1 AND trigger_key = $2",
                Tuple.of(pipelineId, key)).map(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    /**
     * The guard of a due fire: locks the schedule, and finds it only while it is still due at the
     * fire it was planned for (another replica that fired it first moved {@code next_fire_at}).
     */
    static PlannedWrite stillDue(State planned) {
        return PlannedWrite.guard("SELECT 1 FROM schedules WHERE pipeline_id = $1 AND trigger_key = $2 AND active "
                + "AND NOT paused AND next_fire_at = $3 FOR UPDATE",
                Tuple.of(planned.pipelineId(), planned.triggerKey(), odt(planned.nextFireAt())));
    }

    /** The guard of a fire through the API: locks the schedule, and finds it only while it is active and not paused. */
    static PlannedWrite fireable(State planned) {
        return PlannedWrite.guard("SELECT 1 FROM schedules WHERE pipeline_id = $1 AND trigger_key = $2 AND active "
                + "AND NOT paused FOR UPDATE", Tuple.of(planned.pipelineId(), planned.triggerKey()));
    }

    /** The nominal fires of the schedule among {@code times} that have a row already (they never run twice). */
    Uni<java.util.Set<Instant>> fired(UUID pipelineId, String key, List<Instant> times) {
        if (times.isEmpty()) {
            return Uni.createFrom().item(java.util.Set.of());
        }
        return pool.preparedQuery("SELECT fire_at FROM schedule_fires WHERE pipeline_id = $1 AND trigger_key = $2 "
                        + "AND fire_at = ANY($3)")
                .execute(Tuple.of(pipelineId, key, times.stream().map(PgValues::odt).toArray(java.time.OffsetDateTime[]::new)))
                .map(rows -> {
                    java.util.Set<Instant> out = new java.util.HashSet<>();
                    rows.forEach(r -> out.add(instant(r, "fire_at")));
                    return out;
                });
    }

    /** A fire's row (a nominal fire that ran, or a fire through the API). */
    static PlannedWrite fire(State s, Instant at, String source) {
        return PlannedWrite.of("INSERT INTO schedule_fires (pipeline_id, trigger_key, fire_at, tenant_id, source) "
                + "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                Tuple.of(s.pipelineId(), s.triggerKey(), odt(at), s.tenantId(), source));
    }

    /** Sets the next fire computed from {@code state}, unless the schedule changed since it was read. */
    Uni<Void> plan(State state, Instant next) {
        return pool.preparedQuery("UPDATE schedules SET next_fire_at = $3 WHERE pipeline_id = $1 AND trigger_key = $2 "
                        + "AND next_fire_at IS NULL AND baseline_at = $4")
                .execute(Tuple.of(state.pipelineId(), state.triggerKey(), odt(next), odt(state.baselineAt())))
                .replaceWithVoid();
    }

    /** Moves the schedule past its fires: the last nominal fire (kept when null) and the next one. */
    static PlannedWrite advance(State s, Instant lastFire, Instant next) {
        return PlannedWrite.of("UPDATE schedules SET last_fire_at = coalesce($3, last_fire_at), next_fire_at = $4, "
                        + "updated_at = now() WHERE pipeline_id = $1 AND trigger_key = $2",
                Tuple.of(s.pipelineId(), s.triggerKey(), odt(lastFire), odt(next)));
    }

    /** Notes a fire through the API as the schedule's last fire; its next nominal fire stays. */
    static PlannedWrite firedNow(State s, Instant at) {
        return PlannedWrite.of("UPDATE schedules SET last_fire_at = $3, updated_at = now() "
                + "WHERE pipeline_id = $1 AND trigger_key = $2", Tuple.of(s.pipelineId(), s.triggerKey(), odt(at)));
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
