package dev.scanflow.engine;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Reconciliation: correctness never depends on one message arriving once. Every sweep it ticks
 * the runs with something due (step timeouts, unacknowledged commands, retries, queue timeouts,
 * run deadlines, runs left pending), hands over the steps of workers that are no longer
 * registered, runs a dispatch pass, marks published outbox rows and
 * publishes again what a crash left unpublished, and refreshes the gauges. Safe with several
 * replicas: runs are ticked under {@code SKIP LOCKED}.
 */
@ApplicationScoped
public class Sweeper {

    private static final Logger LOG = Logger.getLogger(Sweeper.class);
    static final int BATCH = 200;

    private final Pool pool;
    private final RunEngine engine;
    private final RunRows runs;
    private final DispatchPasses dispatch;
    private final OutboxRelay relay;
    private final EngineMetrics metrics;

    public Sweeper(Pool pool, RunEngine engine, RunRows runs, DispatchPasses dispatch, OutboxRelay relay,
            EngineMetrics metrics) {
        this.pool = pool;
        this.engine = engine;
        this.runs = runs;
        this.dispatch = dispatch;
        this.relay = relay;
        this.metrics = metrics;
    }

    @Scheduled(every = "${scanflow.engine.sweep-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return tickDueRuns()
                .chain(this::handOverFromVanishedWorkers)
                .chain(dispatch::pass)
                .chain(relay::flushMarks)
                .chain(() -> relay.republishStale().replaceWithVoid())
                .chain(metrics::refresh)
                .onFailure().invoke(e -> LOG.warnf("sweep failed: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Void> tickDueRuns() {
        return pool.preparedQuery("SELECT run_id AS id FROM step_runs WHERE status IN ('queued', 'running') "
                        + "AND due_at <= now() "
                        + "UNION SELECT id FROM pipeline_runs WHERE status = 'running' AND deadline_at <= now() "
                        + "UNION SELECT id FROM pipeline_runs WHERE status = 'pending' "
                        + "AND created_at < now() - interval '5 seconds' LIMIT " + BATCH)
                .execute()
                .chain(rows -> tick(engine, metrics, ids(rows), "due"));
    }

    /** Steps on workers whose registration is gone go to other workers, as for a lost worker. */
    private Uni<Void> handOverFromVanishedWorkers() {
        return runs.vanishedWorkers(pool, BATCH).chain(workers -> {
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

    /** Ticks the runs, four at a time; a failed tick is logged and left for the next sweep. */
    static Uni<Void> tick(RunEngine engine, EngineMetrics metrics, List<UUID> runs, String why) {
        if (runs.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(runs)
                .onItem().transformToUni(run -> engine.tick(run)
                        .onFailure().invoke(e -> LOG.warnf("tick of run %s failed: %s", run, e.toString()))
                        .onFailure().recoverWithItem(false))
                .merge(4)
                .collect().asList()
                .invoke(done -> metrics.sweeperAction(why, done.stream().filter(b -> b).count()))
                .replaceWithVoid();
    }

    static List<UUID> ids(RowSet<Row> rows) {
        Set<UUID> out = new LinkedHashSet<>();
        for (Row r : rows) {
            out.add(r.getUUID("id"));
        }
        return new ArrayList<>(out);
    }
}
