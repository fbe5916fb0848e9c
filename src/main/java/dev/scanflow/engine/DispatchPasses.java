package dev.scanflow.engine;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Dispatch passes: the runs whose queued steps wait for a worker, most urgent first, are ticked
 * ({@link RunTicks}) so their steps can take a worker. A pass runs on every {@link EngineTicker}
 * tick, after the sweep, and when capacity appears ({@link CapacityFreed}: slots freed, a worker
 * online or resumed), coalesced: at most one at a time, and one more after it if asked meanwhile.
 */
@ApplicationScoped
public class DispatchPasses {

    private static final Logger LOG = Logger.getLogger(DispatchPasses.class);

    private final Pool pool;
    private final RunTicks ticks;
    private final WaitingSteps waiting;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public DispatchPasses(Pool pool, RunTicks ticks, WaitingSteps waiting) {
        this.pool = pool;
        this.ticks = ticks;
        this.waiting = waiting;
    }

    void onCapacity(@Observes CapacityFreed event) {
        request();
    }

    /** Asks for a pass soon (coalesced). */
    public void request() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            runPass();
        }
    }

    private void runPass() {
        again.set(false);
        pass().subscribe().with(
                v -> {
                    running.set(false);
                    if (again.get() && running.compareAndSet(false, true)) {
                        runPass();
                    }
                },
                e -> {
                    running.set(false);
                    LOG.warnf("dispatch pass failed: %s", e.toString());
                });
    }

    /** One pass now. */
    Uni<Void> pass() {
        return pool.preparedQuery("SELECT s.run_id AS id, min(CASE r.priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 "
                        + "WHEN 'normal' THEN 2 ELSE 3 END) AS rank, min(s.queued_at) AS since FROM step_runs s "
                        + "JOIN pipeline_runs r ON r.id = s.run_id WHERE s.status = 'queued' AND s.command_id IS NULL "
                        + "AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= now()) "
                        + "AND r.status = 'running' GROUP BY s.run_id ORDER BY rank, since LIMIT " + RunTicks.BATCH)
                .execute()
                .chain(rows -> {
                    if (rows.size() == 0) {
                        waiting.none();
                    }
                    return ticks.tick(RunTicks.ids(rows), "dispatch");
                });
    }
}
