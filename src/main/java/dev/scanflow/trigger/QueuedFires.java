package dev.scanflow.trigger;

import static dev.scanflow.common.PgValues.instant;

import dev.scanflow.asset.AssetService;
import dev.scanflow.common.PgValues;
import dev.scanflow.engine.NewRun;
import dev.scanflow.engine.PlannedWrite;
import dev.scanflow.engine.RunEngine;
import dev.scanflow.engine.RunStartPlan;
import dev.scanflow.run.RunLauncher;
import dev.scanflow.run.RunOrigin;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The fires an {@code overlap: queue} rule held back (at most one per pipeline and asset): once
 * the run they waited for has ended, each is started by a plan whose guard removes it, so it
 * starts once even with several replicas looking.
 */
@ApplicationScoped
public class QueuedFires {

    private static final Logger LOG = Logger.getLogger(QueuedFires.class);

    /** How many pages of queued fires a tick looks through for ready ones. */
    private static final int LOOK_AHEAD = 10;

    private final Pool pool;
    private final RunLauncher launcher;
    private final AssetService assets;
    private final TriggerOutcomes outcomes;
    private final RunEngine engine;

    public QueuedFires(Pool pool, RunLauncher launcher, AssetService assets, TriggerOutcomes outcomes, RunEngine engine) {
        this.pool = pool;
        this.engine = engine;
        this.launcher = launcher;
        this.assets = assets;
        this.outcomes = outcomes;
    }

    private record Queued(UUID pipelineId, UUID assetId, UUID tenantId, String triggerKey, String triggerType,
            Instant fireAt, UUID waitingFor, Map<String, Object> context, String triggeredBy) {
    }

    /** Starts the queued fires whose run ended; how many started. */
    Uni<Integer> startReady(int limit) {
        // the oldest queued fires, a few pages deep so that fires behind long runs do not hold the
        // ready ones back; the engine says whose run is still active
        return pool.preparedQuery("SELECT * FROM queued_fires ORDER BY created_at LIMIT $1")
                .execute(Tuple.of(limit * LOOK_AHEAD))
                .chain(rows -> {
                    List<Queued> queued = new ArrayList<>();
                    rows.forEach(r -> queued.add(queued(r)));
                    return engine.stillActive(queued.stream().map(Queued::waitingFor).toList())
                            .map(active -> queued.stream().filter(q -> !active.contains(q.waitingFor())).limit(limit).toList());
                })
                .chain(ready -> Multi.createFrom().iterable(ready)
                        .onItem().transformToUniAndConcatenate(q -> start(q)
                                .onFailure().invoke(e -> LOG.warnf("queued fire of pipeline %s on asset %s: %s",
                                        q.pipelineId(), q.assetId(), e.toString()))
                                .onFailure().recoverWithItem(0))
                        .collect().asList()
                        .map(counts -> counts.stream().mapToInt(Integer::intValue).sum()));
    }

    private Uni<Integer> start(Queued q) {
        TriggeredStarts.Source source = new TriggeredStarts.Source(q.tenantId(), q.pipelineId(), q.triggerKey(),
                q.triggerType(), q.fireAt(), "allow", new RunOrigin(q.triggerType(), q.triggeredBy(), null), q.context());
        return launcher.pinActive(q.tenantId(), q.pipelineId())
                .chain(pinned -> assets.snapshot(q.tenantId(), q.assetId()).map(asset -> Map.entry(pinned, asset)))
                .onFailure().recoverWithItem(e -> null)
                .chain(inputs -> {
                    // the queued fire's removal is the guard: it starts once, whichever replica gets it
                    RunStartPlan.Builder plan = RunStartPlan.builder().guard(PlannedWrite.guard(
                            "DELETE FROM queued_fires WHERE pipeline_id = $1 AND asset_id = $2 AND waiting_for_run = $3 "
                                    + "RETURNING 1", Tuple.of(q.pipelineId(), q.assetId(), q.waitingFor())));
                    TriggerOutcomes.Outcome o;
                    if (inputs == null) {
                        o = TriggeredStarts.outcome(source, q.assetId(), "skipped",
                                "the queued fire could not start: the pipeline or the asset is gone or deactivated", null);
                    } else {
                        NewRun run = launcher.prepare(q.tenantId(), inputs.getKey(), q.assetId(), inputs.getValue(),
                                q.context(), null, source.origin());
                        plan.start(run);
                        o = TriggeredStarts.outcome(source, q.assetId(), "started",
                                "queued behind run " + q.waitingFor() + ", which has ended", run.state().id);
                    }
                    // stale: another replica removed it and started its run
                    return launcher.startOnce(new RunLauncher.Planned<>(plan.records(TriggerOutcomes.insert(List.of(o)))
                            .build(), List.of(o)), List.<TriggerOutcomes.Outcome>of());
                })
                .invoke(outcomes::count)
                .map(recorded -> (int) recorded.stream().filter(o -> "started".equals(o.outcome())).count());
    }

    private static Queued queued(Row r) {
        return new Queued(r.getUUID("pipeline_id"), r.getUUID("asset_id"), r.getUUID("tenant_id"), r.getString("trigger_key"),
                r.getString("trigger_type"), instant(r, "fire_at"), r.getUUID("waiting_for_run"), PgValues.json(r, "context"),
                r.getString("triggered_by"));
    }
}
