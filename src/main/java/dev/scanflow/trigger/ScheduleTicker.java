package dev.scanflow.trigger;

import dev.scanflow.config.ScanflowConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The in-service scheduler: each tick (quarkus-scheduler, every
 * {@code scanflow.schedules.tick} on every replica) brings the schedules in step with the
 * templates, computes the next fire of new, edited and resumed ones, fires the due ones (the
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

    public ScheduleTicker(Schedules schedules, ScheduleFiring firing, QueuedFires queued, ScheduleClock clock,
            ScanflowConfig config) {
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
        return schedules.sync(now, null)
                .chain(this::plan)
                .chain(() -> fire ? fireDue(now) : Uni.createFrom().item(0))
                .call(() -> queued.startReady(DUE_PER_TICK));
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
