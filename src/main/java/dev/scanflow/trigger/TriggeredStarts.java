package dev.scanflow.trigger;

import static dev.scanflow.common.PgValues.odt;

import dev.scanflow.engine.NewRun;
import dev.scanflow.engine.PlannedWrite;
import dev.scanflow.engine.RunEngine;
import dev.scanflow.engine.RunStartPlan;
import dev.scanflow.pipeline.PinnedTemplate;
import dev.scanflow.run.RunLauncher;
import dev.scanflow.run.RunOrigin;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A trigger's runs for a set of assets, planned: where the pipeline's previous run on an asset
 * is still active, the trigger's {@code overlap} rule says skip (record why), allow (start
 * anyway), queue (at most one waiting; started when the active run ends) or replace (cancel the
 * old run, start the new one). Every decision is an outcome. The active runs it decided on go
 * into the plan as expected, so the engine writes nothing if they changed meanwhile.
 */
@ApplicationScoped
public class TriggeredStarts {

    private final RunLauncher launcher;
    private final RunEngine engine;
    private final Pool pool;

    public TriggeredStarts(RunLauncher launcher, RunEngine engine, Pool pool) {
        this.launcher = launcher;
        this.engine = engine;
        this.pool = pool;
    }

    /** Who fired: the trigger's key and type, and the nominal fire time (null for webhooks and discovery). */
    public record Source(UUID tenantId, UUID pipelineId, String triggerKey, String triggerType, Instant fireAt,
            String overlap, RunOrigin origin, Map<String, Object> context) {
    }

    /**
     * Plans the starts on the assets (snapshots) into {@code plan} and answers the outcomes, for
     * the caller to record with the rest of its plan. {@code busy}: assets the plan already
     * starts a run on (several fires in one plan).
     */
    public Uni<List<TriggerOutcomes.Outcome>> plan(PinnedTemplate pinned, Source source,
            List<Map<String, Object>> assets, Set<UUID> busy, RunStartPlan.Builder plan) {
        if (assets.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<UUID> ids = assets.stream().map(a -> UUID.fromString(String.valueOf(a.get("id")))).toList();
        return engine.activeRuns(source.pipelineId(), ids)
                .chain(active -> ("queue".equals(source.overlap()) ? queuedFor(source.pipelineId(), ids)
                        : Uni.createFrom().item(Set.<UUID>of())).map(queued -> decide(pinned, source, assets, busy, plan,
                                active, queued, ids)));
    }

    private List<TriggerOutcomes.Outcome> decide(PinnedTemplate pinned, Source source,
            List<Map<String, Object>> assets, Set<UUID> busy, RunStartPlan.Builder plan, Map<UUID, UUID> activeRun,
            Set<UUID> queued, List<UUID> ids) {
        plan.expect(new RunStartPlan.ActiveRuns(source.pipelineId(), ids, Set.copyOf(activeRun.values())));
        List<TriggerOutcomes.Outcome> recorded = new ArrayList<>();
        for (Map<String, Object> asset : assets) {
            UUID assetId = UUID.fromString(String.valueOf(asset.get("id")));
            UUID active = activeRun.get(assetId);
            boolean justStarted = busy.contains(assetId);
            if (active == null && !justStarted || "allow".equals(source.overlap())) {
                NewRun run = launcher.prepare(source.tenantId(), pinned, assetId, asset, source.context(), null,
                        source.origin());
                plan.start(run);
                busy.add(assetId);
                recorded.add(outcome(source, assetId, "started", null, run.state().id));
                continue;
            }
            String why = active != null ? "run " + active + " of this pipeline on the asset is still active"
                    : "this fire started a run on the asset already";
            switch (source.overlap()) {
                case "replace" -> {
                    NewRun run = launcher.prepare(source.tenantId(), pinned, assetId, asset, source.context(), null,
                            source.origin());
                    if (active != null) {
                        plan.cancel(active);
                    }
                    plan.start(run);
                    busy.add(assetId);
                    recorded.add(outcome(source, assetId, "replaced", why + ": cancelled", run.state().id));
                }
                case "queue" -> {
                    if (active == null) {
                        recorded.add(outcome(source, assetId, "skipped", why, null));
                    } else if (queued.contains(assetId)) {
                        recorded.add(outcome(source, assetId, "skipped", why + ", and a fire is queued for it already", null));
                    } else {
                        queued.add(assetId);
                        plan.guard(queue(source, assetId, active));
                        recorded.add(outcome(source, assetId, "queued", why, null));
                    }
                }
                default -> recorded.add(outcome(source, assetId, "skipped", why, null));
            }
        }
        return recorded;
    }

    /** The assets of the pipeline with a fire queued already. */
    private Uni<Set<UUID>> queuedFor(UUID pipelineId, List<UUID> assetIds) {
        return pool.preparedQuery("SELECT asset_id FROM queued_fires WHERE pipeline_id = $1 AND asset_id = ANY($2)")
                .execute(Tuple.of(pipelineId, assetIds.toArray(UUID[]::new)))
                .map(rows -> {
                    Set<UUID> out = new HashSet<>();
                    rows.forEach(r -> out.add(r.getUUID("asset_id")));
                    return out;
                });
    }

    /** The queued fire, a guard: one queued meanwhile makes the plan stale (planned again, it is seen). */
    private static PlannedWrite queue(Source source, UUID assetId, UUID active) {
        return PlannedWrite.guard("INSERT INTO queued_fires (pipeline_id, asset_id, tenant_id, trigger_key, trigger_type, "
                        + "fire_at, waiting_for_run, triggered_by, context) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                        + "ON CONFLICT (pipeline_id, asset_id) DO NOTHING RETURNING 1",
                Tuple.from(Arrays.asList(source.pipelineId(), assetId, source.tenantId(), source.triggerKey(),
                        source.triggerType(), odt(source.fireAt()), active, source.origin().triggeredBy(),
                        new JsonObject(source.context()))));
    }

    public static TriggerOutcomes.Outcome outcome(Source s, UUID assetId, String outcome, String reason, UUID runId) {
        return new TriggerOutcomes.Outcome(s.tenantId(), s.pipelineId(), s.triggerKey(), s.triggerType(), s.fireAt(),
                assetId, outcome, reason, runId);
    }

    /** Assets a plan starts runs on, for the fires after the first in it. */
    public static Set<UUID> none() {
        return new HashSet<>();
    }
}
