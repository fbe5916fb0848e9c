package dev.scanflow.engine;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Reconciliation of runs: correctness never depends on one message arriving once. Each sweep
 * (driven by {@link EngineTicker}) ticks the runs with something due (step timeouts,
 * unacknowledged commands, retries, queue timeouts, run deadlines, runs left pending) and hands
 * over the steps of workers that are no longer registered. Safe with several replicas: runs are
 * ticked under {@code SKIP LOCKED}.
 */
@ApplicationScoped
public class Sweeper {

    private static final Logger LOG = Logger.getLogger(Sweeper.class);

    private final Pool pool;
    private final RunEngine engine;
    private final RunRows runs;
    private final RunTicks ticks;
    private final EngineMetrics metrics;

    public Sweeper(Pool pool, RunEngine engine, RunRows runs, RunTicks ticks, EngineMetrics metrics) {
        this.pool = pool;
        this.engine = engine;
        this.runs = runs;
        this.ticks = ticks;
        this.metrics = metrics;
    }

    /** One sweep: the due runs, then the steps of vanished workers. */
    Uni<Void> sweep() {
        return tickDueRuns().chain(this::handOverFromVanishedWorkers);
    }

    private Uni<Void> tickDueRuns() {
        // the most overdue first, so that a batch is never filled by the same runs sweep after sweep
        return pool.preparedQuery("(SELECT run_id AS id FROM step_runs WHERE status IN ('queued', 'running') "
                        + "AND due_at <= now() ORDER BY due_at LIMIT " + RunTicks.BATCH + ") "
                        + "UNION SELECT id FROM pipeline_runs WHERE status = 'running' AND deadline_at <= now() "
                        + "UNION SELECT id FROM pipeline_runs WHERE status = 'pending' AND wait_reason IS NULL "
                        + "AND created_at < now() - interval '5 seconds' LIMIT " + RunTicks.BATCH)
                .execute()
                .chain(rows -> ticks.tick(RunTicks.ids(rows), "due"));
    }

    /** Steps on workers whose registration is gone go to other workers, as for a lost worker. */
    private Uni<Void> handOverFromVanishedWorkers() {
        return runs.vanishedWorkers(pool, RunTicks.BATCH).chain(workers -> {
            if (workers.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            LOG.warnf("steps are on workers that are no longer registered; handing them over: %s", workers);
            return Multi.createFrom().iterable(workers)
                    .onItem().transformToUniAndConcatenate(worker -> engine.workerLost(worker).replaceWith(true)
                            .onFailure().invoke(e -> LOG.warnf("hand-over from %s failed: %s", worker, e.toString()))
                            .onFailure().recoverWithItem(false))
                    .collect().asList()
                    .invoke(done -> metrics.sweeperAction("worker_gone", done.stream().filter(b -> b).count()))
                    .replaceWithVoid();
        });
    }
}
