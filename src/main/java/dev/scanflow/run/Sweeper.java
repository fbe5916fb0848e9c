package dev.scanflow.run;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.worker.WorkerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Reconciliation: correctness never depends on one message arriving once. Every sweep it marks
 * silent workers offline (their steps go elsewhere), ticks the runs with something due (step
 * timeouts, unacknowledged commands, retries, queue timeouts, run deadlines, runs left pending),
 * marks published outbox rows and publishes again what a crash left unpublished. Steps waiting
 * for a worker are dispatched when capacity appears (a worker comes online or frees a slot) and
 * on every sweep. Safe with several replicas: runs are ticked under {@code SKIP LOCKED}.
 */
@ApplicationScoped
public class Sweeper {

    private static final Logger LOG = Logger.getLogger(Sweeper.class);
    private static final int BATCH = 200;

    private final Pool pool;
    private final RunEngine engine;
    private final OutboxRelay relay;
    private final WorkerRegistry workers;
    private final MeterRegistry metrics;
    private final EngineMetrics engineMetrics;
    private final Dispatcher dispatcher;
    private final AtomicBoolean dispatching = new AtomicBoolean();
    private final AtomicBoolean dispatchAgain = new AtomicBoolean();

    public Sweeper(Pool pool, RunEngine engine, OutboxRelay relay, WorkerRegistry workers, MeterRegistry metrics,
            EngineMetrics engineMetrics, Dispatcher dispatcher) {
        this.engineMetrics = engineMetrics;
        this.dispatcher = dispatcher;
        this.pool = pool;
        this.engine = engine;
        this.relay = relay;
        this.workers = workers;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        engine.onCapacityFreed(this::requestDispatch);
        workers.onWorkerAvailable(this::requestDispatch);
    }

    @Scheduled(every = "${scanflow.engine.sweep-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return workers.markMissing()
                .chain(this::failOver)
                .chain(this::tickDueRuns)
                .chain(this::dispatchWaiting)
                .chain(relay::flushMarks)
                .chain(() -> relay.republishStale().replaceWithVoid())
                .chain(engineMetrics::refresh)
                .onFailure().invoke(e -> LOG.warnf("sweep failed: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Steps held by workers that went silent go to other workers (or fail after too many losses). */
    private Uni<Void> failOver(List<String> lost) {
        if (lost.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(lost)
                .onItem().transformToUniAndConcatenate(worker -> pool.preparedQuery(
                                "SELECT DISTINCT run_id AS id FROM step_runs WHERE worker_id = $1 "
                                        + "AND status IN ('queued', 'running') AND command_id IS NOT NULL")
                        .execute(Tuple.of(worker))
                        .chain(rows -> Multi.createFrom().iterable(ids(rows))
                                .onItem().transformToUniAndConcatenate(run -> engine.workerLost(run, worker))
                                .collect().last())
                        .invoke(() -> metrics.counter("scanflow.sweeper.actions", "action", "worker_lost").increment()))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> tickDueRuns() {
        return pool.preparedQuery("SELECT run_id AS id FROM step_runs WHERE status IN ('queued', 'running') "
                        + "AND due_at <= now() "
                        + "UNION SELECT id FROM pipeline_runs WHERE status = 'running' AND deadline_at <= now() "
                        + "UNION SELECT id FROM pipeline_runs WHERE status = 'pending' "
                        + "AND created_at < now() - interval '5 seconds' LIMIT " + BATCH)
                .execute()
                .chain(rows -> tick(ids(rows), "due"));
    }

    /** Asks for a dispatch pass soon (coalesced: at most one runs at a time, and one more after it). */
    public void requestDispatch() {
        dispatchAgain.set(true);
        if (dispatching.compareAndSet(false, true)) {
            runDispatchPass();
        }
    }

    private void runDispatchPass() {
        dispatchAgain.set(false);
        dispatchWaiting().subscribe().with(
                v -> {
                    dispatching.set(false);
                    if (dispatchAgain.get() && dispatching.compareAndSet(false, true)) {
                        runDispatchPass();
                    }
                },
                e -> {
                    dispatching.set(false);
                    LOG.warnf("dispatch pass failed: %s", e.toString());
                });
    }

    /** Runs whose queued steps wait for a worker, most urgent first. */
    private Uni<Void> dispatchWaiting() {
        return pool.preparedQuery("SELECT s.run_id AS id, min(CASE r.priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 "
                        + "WHEN 'normal' THEN 2 ELSE 3 END) AS rank, min(s.queued_at) AS since FROM step_runs s "
                        + "JOIN pipeline_runs r ON r.id = s.run_id WHERE s.status = 'queued' AND s.command_id IS NULL "
                        + "AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= now()) "
                        + "AND r.status = 'running' GROUP BY s.run_id ORDER BY rank, since LIMIT " + BATCH)
                .execute()
                .chain(rows -> {
                    if (rows.size() == 0) {
                        dispatcher.noStepWaits();
                    }
                    return tick(ids(rows), "dispatch");
                });
    }

    private Uni<Void> tick(List<UUID> runs, String why) {
        if (runs.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(runs)
                .onItem().transformToUni(run -> engine.tick(run)
                        .onFailure().invoke(e -> LOG.warnf("tick of run %s failed: %s", run, e.toString()))
                        .onFailure().recoverWithItem(false))
                .merge(4)
                .collect().asList()
                .invoke(done -> engineMetrics.sweeperAction(why, done.stream().filter(b -> b).count()))
                .replaceWithVoid();
    }

    private static List<UUID> ids(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        Set<UUID> out = new LinkedHashSet<>();
        for (Row r : rows) {
            out.add(r.getUUID("id"));
        }
        return new ArrayList<>(out);
    }
}
