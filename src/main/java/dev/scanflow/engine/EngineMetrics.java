package dev.scanflow.engine;

import dev.scanflow.domain.Decision;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.StepState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's metrics (Prometheus at /q/metrics): runs started and finished by status, step
 * durations by tool, dispatch latency (queued until given to a worker), results applied and
 * ignored, workers benched, queue depth, sweeper actions, steps the scope check refused (by the
 * kind of rule only: no tenant or host label, whose values would be unbounded). The gauges are refreshed on every
 * {@link EngineTicker} tick from the database, so every replica reports the same values.
 */
@ApplicationScoped
public class EngineMetrics {

    private final MeterRegistry registry;
    private final Pool pool;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong waitingForWorker = new AtomicLong();
    private final AtomicLong running = new AtomicLong();

    public EngineMetrics(MeterRegistry registry, Pool pool) {
        this.registry = registry;
        this.pool = pool;
        registry.gauge("scanflow.steps.queued", queued);
        registry.gauge("scanflow.steps.waiting.for.worker", waitingForWorker);
        registry.gauge("scanflow.steps.running", running);
    }

    void runStarted() {
        registry.counter("scanflow.runs.started").increment();
    }

    void resultApplied() {
        registry.counter("scanflow.results.applied").increment();
    }

    /** An input the decider did not apply (unknown, stale, spoofed, duplicate, ...). */
    void resultIgnored(String reason) {
        registry.counter("scanflow.results.ignored", "reason", reason).increment();
    }

    /** Workers benched for letting a command's ack timeout pass. */
    void workersBenched(int count) {
        if (count > 0) {
            registry.counter("scanflow.workers.benched").increment(count);
        }
    }

    /** Called after a decision is committed. */
    void decided(RunState run, Decision decision, Instant now) {
        for (String kind : decision.scopeRefusals) {
            registry.counter("scanflow.scope.refusals", "rule", kind).increment();
        }
        for (Decision.Event e : decision.events) {
            String type = e.type();
            if (type.equals("pipeline.run.started")) {
                runStarted();
            } else if (type.startsWith("pipeline.run.")) {
                registry.counter("scanflow.runs.finished", "status", type.substring("pipeline.run.".length())).increment();
            } else if (e.stepKey() != null && (type.endsWith(".completed") || type.endsWith(".failed")
                    || type.endsWith(".timeout"))) {
                StepState s = run.step(e.stepKey());
                if (s != null && s.startedAt != null && s.completedAt != null) {
                    Timer.builder("scanflow.step.duration").tag("tool", s.tool == null ? "none" : s.tool)
                            .tag("status", type.substring(type.lastIndexOf('.') + 1))
                            .publishPercentileHistogram().register(registry)
                            .record(Duration.between(s.startedAt, s.completedAt));
                }
            }
        }
    }

    /** A step given to a worker: how long it waited since it was queued. */
    void dispatched(StepState step, Instant now) {
        if (step.queuedAt != null) {
            Timer.builder("scanflow.dispatch.latency").description("from queued to given to a worker")
                    .publishPercentileHistogram().register(registry)
                    .record(Duration.between(step.queuedAt, now));
        }
    }

    void sweeperAction(String action, long count) {
        if (count > 0) {
            registry.counter("scanflow.sweeper.actions", "action", action).increment(count);
        }
    }

    /** Refreshes the gauges from the database (one query each). */
    Uni<Void> refresh() {
        return pool.query("SELECT count(*) FILTER (WHERE status = 'queued') AS queued, "
                        + "count(*) FILTER (WHERE status = 'queued' AND command_id IS NULL) AS waiting, "
                        + "count(*) FILTER (WHERE status = 'running') AS running "
                        + "FROM step_runs WHERE status IN ('queued', 'running')")
                .execute()
                .invoke(rows -> {
                    Row r = rows.iterator().next();
                    queued.set(r.getLong("queued"));
                    waitingForWorker.set(r.getLong("waiting"));
                    running.set(r.getLong("running"));
                })
                .replaceWithVoid();
    }
}
