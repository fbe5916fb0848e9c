package dev.scanflow.trigger;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.pipeline.TemplateChanges;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The in-service scheduler: each tick (quarkus-scheduler, every
 * {@code scanflow.schedules.tick} on every replica) brings the schedules in step with the
 * templates this replica wrote lately (every template at the first tick and every
 * {@code scanflow.schedules.resync}), computes the next fire of new, edited and resumed ones, fires the due ones (the
 * database decides which replica fires each: see {@link ScheduleFiring}) and starts queued fires
 * whose run ended. With {@code scanflow.schedules.enabled=false} it fires nothing (CronJobs do,
 * through the fire endpoint) but keeps the schedules and queued fires up to date.
 */
@ApplicationScoped
public class ScheduleTicker {

    private static final Logger LOG = Logger.getLogger(ScheduleTicker.class);
    private static final int DUE_PER_TICK = 200;

    private final Schedules schedules;
    private final ScheduleFiring firing;
    private final QueuedFires queued;
    private final ScheduleClock clock;
    private final ScanflowConfig config;
    private final TemplateChanges changes;
    /** System.nanoTime() of the last tick that synced every template; null before the first. */
    private volatile Long lastResync;

    public ScheduleTicker(Schedules schedules, ScheduleFiring firing, QueuedFires queued, ScheduleClock clock,
            ScanflowConfig config, TemplateChanges changes) {
        this.changes = changes;
        this.schedules = schedules;
        this.firing = firing;
        this.queued = queued;
        this.clock = clock;
        this.config = config;
    }

    @Scheduled(every = "${scanflow.schedules.tick:1s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return tick(config.schedules().enabled())
                .onFailure().invoke(e -> LOG.warnf("schedule tick failed: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One tick at the schedule clock's now; {@code fire} false only keeps state up to date. Tests call it. */
    public Uni<Integer> tick(boolean fire) {
        Instant now = clock.now();
        return sync(now)
                .chain(this::plan)
                .chain(() -> fire ? fireDue(now) : Uni.createFrom().item(0))
                .call(() -> queued.startReady(DUE_PER_TICK));
    }

    /** Every template at the first tick and each resync; else only the pipelines written lately (none: no query). */
    private Uni<Void> sync(Instant now) {
        long started = System.nanoTime();
        Long last = lastResync;
        if (last == null || started - last >= config.schedules().resync().toNanos()) {
            return schedules.sync(now, (UUID[]) null).invoke(() -> lastResync = started);
        }
        List<UUID> written = changes.recent();
        return written.isEmpty() ? Uni.createFrom().voidItem() : schedules.sync(now, written.toArray(UUID[]::new));
    }

    private Uni<Void> plan() {
        return schedules.unplanned().chain(list -> Multi.createFrom().iterable(list)
                .onItem().transformToUniAndConcatenate(s -> {
                    Instant from = s.lastFireAt() != null && s.lastFireAt().isAfter(s.baselineAt()) ? s.lastFireAt()
                            : s.baselineAt();
                    Instant next = ScheduleFiring.calendar(s.trigger()).nextAfter(from);
                    return next == null ? Uni.createFrom().voidItem() : schedules.plan(s, next);
                })
                .collect().last().replaceWithVoid());
    }

    /** Fires what is due; the number of runs started. */
    private Uni<Integer> fireDue(Instant now) {
        return schedules.due(now, DUE_PER_TICK).chain(due -> Multi.createFrom().iterable(due)
                .onItem().transformToUniAndConcatenate(s -> firing.fireDue(s, now)
                        .map(f -> f.runIds().size())
                        .onFailure().invoke(e -> LOG.warnf("schedule %s/%s did not fire: %s", s.pipelineName(),
                                s.triggerKey(), e.toString()))
                        .onFailure().recoverWithItem(0))
                .collect().asList()
                .map(List::stream).map(counts -> counts.mapToInt(Integer::intValue).sum()));
    }
}
