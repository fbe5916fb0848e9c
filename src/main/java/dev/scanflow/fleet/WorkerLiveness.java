package dev.scanflow.fleet;

import dev.scanflow.engine.RunEngine;
import dev.scanflow.engine.WorkerSlots;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Who is still there: every sweep interval, workers that missed their heartbeats are marked
 * offline and the engine is told, so the steps they held go to other workers (or fail after too
 * many losses); offline workers' free slot rows go (they come back with the worker). Also
 * refreshes the workers-online gauge from the database, the same on every replica.
 */
@ApplicationScoped
public class WorkerLiveness {

    private static final Logger LOG = Logger.getLogger(WorkerLiveness.class);

    private final WorkerRegistry registry;
    private final RunEngine engine;
    private final WorkerSlots slots;
    private final Pool pool;
    private final MeterRegistry metrics;
    private final MultiGauge online;

    public WorkerLiveness(WorkerRegistry registry, RunEngine engine, WorkerSlots slots, Pool pool,
            MeterRegistry metrics) {
        this.registry = registry;
        this.engine = engine;
        this.slots = slots;
        this.pool = pool;
        this.metrics = metrics;
        this.online = MultiGauge.builder("scanflow.workers.online")
                .description("online workers (not draining) by capability").register(metrics);
    }

    @Scheduled(every = "${scanflow.engine.sweep-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> check() {
        return registry.markMissing()
                .chain(this::failOver)
                .chain(() -> slots.dropOffline(pool))
                .chain(this::refreshGauge)
                .onFailure().invoke(e -> LOG.warnf("worker liveness check failed: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Void> failOver(List<String> lost) {
        if (lost.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(lost)
                .onItem().transformToUniAndConcatenate(worker -> engine.workerLost(worker)
                        .invoke(() -> metrics.counter("scanflow.sweeper.actions", "action", "worker_lost").increment()))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> refreshGauge() {
        return pool.query("SELECT c AS capability, count(*) AS n FROM workers, unnest(capabilities) c "
                        + "WHERE status = 'online' AND NOT draining GROUP BY c").execute()
                .invoke(rows -> {
                    List<MultiGauge.Row<?>> gauges = new ArrayList<>();
                    for (Row r : rows) {
                        gauges.add(MultiGauge.Row.of(Tags.of("capability", r.getString("capability")), r.getLong("n")));
                    }
                    online.register(gauges, true);
                })
                .replaceWithVoid();
    }
}
