package dev.scanflow.engine;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The engine's periodic work, one tick every {@code scanflow.engine.sweep-interval} on every
 * replica (quarkus-scheduler; ticks never overlap), in this order: the {@link Sweeper} (runs with
 * something due, steps of vanished workers), {@link RunAdmissions} (held runs a limit now lets
 * start), a {@link DispatchPasses} pass (the steps a sweep queued again can find a worker in the
 * same tick), the {@link TargetHolds} safety sweep, the outbox ({@link OutboxRelay}: published
 * rows marked, rows a crash left unpublished published again), the gauges
 * ({@link EngineMetrics}). A failure ends the tick, logged; the next tick starts over.
 */
@ApplicationScoped
public class EngineTicker {

    private static final Logger LOG = Logger.getLogger(EngineTicker.class);

    private final Sweeper sweeper;
    private final DispatchPasses dispatch;
    private final OutboxRelay relay;
    private final EngineMetrics metrics;
    private final RunAdmissions admissions;
    private final TargetHolds holds;

    public EngineTicker(Sweeper sweeper, DispatchPasses dispatch, OutboxRelay relay, EngineMetrics metrics,
            RunAdmissions admissions, TargetHolds holds) {
        this.admissions = admissions;
        this.holds = holds;
        this.sweeper = sweeper;
        this.dispatch = dispatch;
        this.relay = relay;
        this.metrics = metrics;
    }

    @Scheduled(every = "${scanflow.engine.sweep-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return tick()
                .onFailure().invoke(e -> LOG.warnf("engine tick failed: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One tick now. */
    Uni<Void> tick() {
        return sweeper.sweep()
                .chain(admissions::pass)
                .chain(dispatch::fromTicker)
                .chain(holds::sweep).replaceWithVoid()
                .chain(relay::flushMarks)
                .chain(() -> relay.republishStale().replaceWithVoid())
                .chain(metrics::refresh);
    }
}
