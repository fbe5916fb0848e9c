package dev.scanflow.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.condition.ConditionCompiler;
import dev.scanflow.condition.ConditionEvaluator;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.Decision;
import dev.scanflow.domain.RunDecider;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
import dev.scanflow.domain.WorkerResult;
import dev.scanflow.nats.Subjects;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * The shell around {@link RunDecider}: for every input it locks the run, loads it, lets the
 * decider decide, gives queued steps to workers, writes the changes, the commands and the events
 * in the same transaction, and publishes commands and events after the commit.
 */
@ApplicationScoped
public class RunEngine {

    private static final Logger LOG = Logger.getLogger(RunEngine.class);

    private final Pool pool;
    private final RunStore store;
    private final Dispatcher dispatcher;
    private final OutboxRelay relay;
    private final Subjects subjects;
    private final ObjectMapper mapper;
    private final MeterRegistry metrics;
    private final ScanflowConfig config;
    private final RunDecider decider;
    private final ConditionCompiler compiler;
    private final EngineMetrics engineMetrics;
    private final Map<String, dev.scanflow.condition.CompiledCondition> compiled = new ConcurrentHashMap<>();
    private volatile Runnable capacityFreed = () -> {
    };

    public RunEngine(Pool pool, RunStore store, Dispatcher dispatcher, OutboxRelay relay, Subjects subjects,
            ObjectMapper mapper, MeterRegistry metrics, ScanflowConfig config, ConditionCompiler compiler,
            EngineMetrics engineMetrics) {
        this.engineMetrics = engineMetrics;
        this.pool = pool;
        this.store = store;
        this.dispatcher = dispatcher;
        this.relay = relay;
        this.subjects = subjects;
        this.mapper = mapper;
        this.metrics = metrics;
        this.config = config;
        this.compiler = compiler;
        var e = config.engine();
        this.decider = new RunDecider(new RunDecider.Settings(e.queueTimeout(), e.ackTimeout(), e.maxRetryDelay(),
                e.maxWorkerLosses()), this::evaluate);
    }

    /** Called when worker slots were freed, so waiting steps of other runs can be dispatched. */
    public void onCapacityFreed(Runnable hook) {
        this.capacityFreed = hook;
    }

    public RunDecider decider() {
        return decider;
    }

    // ------------------------------------------------------------------ inputs

    /** A worker's result. Unknown commands and mismatches are counted and ignored. */
    /** Applies a worker's result; counted as applied when it changed something. */
    public Uni<Void> onResult(WorkerResult result) {
        List<OutboxMessage> outgoing = new ArrayList<>();
        Decision[] decided = new Decision[1];
        RunState[] state = new RunState[1];
        // one transaction: find and lock the command's run, decide, write
        return pool.withTransaction(tx -> store.lockByCommand(tx, result.commandId()).chain(loaded -> {
                    if (loaded == null) {
                        return Uni.createFrom().nullItem();
                    }
                    state[0] = loaded.state();
                    return apply(tx, loaded, (run, now) -> decider.onResult(run, result, now), outgoing)
                            .invoke(d -> decided[0] = d);
                }))
                .invoke(() -> {
                    if (state[0] == null) {
                        ignored("unknown");
                    } else if (decided[0] != null && decided[0].ignored() == null) {
                        engineMetrics.resultApplied();
                    }
                    afterCommit(state[0], decided[0], outgoing);
                })
                .replaceWithVoid();
    }

    /** The clock for one run; skipped when another transaction holds the run (it will decide). */
    public Uni<Boolean> tick(UUID runId) {
        return decide(runId, true, decider::tick).map(d -> d != null);
    }

    public Uni<Decision> workerLost(UUID runId, String workerId) {
        return decide(runId, false, (run, now) -> decider.workerLost(run, workerId, now));
    }

    /** Runs a decision on a run under its lock; null when the run is absent or (skipLocked) busy. */
    public Uni<Decision> decide(UUID runId, boolean skipLocked, BiFunction<RunState, Instant, Decision> rule) {
        List<OutboxMessage> outgoing = new ArrayList<>();
        Decision[] decided = new Decision[1];
        RunState[] state = new RunState[1];
        return pool.withTransaction(tx -> store.lock(tx, runId, skipLocked).chain(loaded -> {
                    if (loaded == null) {
                        return Uni.createFrom().nullItem();
                    }
                    state[0] = loaded.state();
                    return apply(tx, loaded, rule, outgoing).invoke(d -> decided[0] = d);
                }))
                .invoke(() -> afterCommit(state[0], decided[0], outgoing));
    }

    /**
     * Decides on an already locked run inside the caller's transaction (the run was just
     * created, or the caller locked it). The caller must hand {@code outgoing} to
     * {@link #afterCommit} once committed.
     */
    Uni<Decision> apply(SqlConnection tx, LoadedRun loaded, BiFunction<RunState, Instant, Decision> rule,
            List<OutboxMessage> outgoing) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        RunState run = loaded.state();
        Decision decision = rule.apply(run, now);
        if (decision.ignored() != null) {
            ignored(decision.ignored());
            return Uni.createFrom().item(decision);
        }
        List<Dispatcher.CommandRow> commands = new ArrayList<>();
        for (Decision.CancelOrder c : decision.cancels) {
            StepState step = run.step(c.stepKey());
            commands.add(dispatcher.cancelCommand(run, step, c.commandId(), c.workerId(), loaded.priority(), now));
        }
        // round trips: free slots and find candidate workers (pipelined), claim slots, then
        // every write at once (pipelined); the caller commits
        return Uni.combine().all().unis(releaseSlots(tx, decision.releasedSteps), dispatcher.candidates(tx, run, now))
                .withUni((freed, found) -> dispatcher.assign(tx, loaded, found, now))
                .chain(scans -> {
                    commands.addAll(scans);
                    scans.forEach(c -> engineMetrics.dispatched(run.steps().stream()
                            .filter(st -> st.id.equals(c.stepRunId())).findFirst().orElseThrow(), now));
                    // steps still waiting for a worker are saved too, so their due time moves on
                    run.steps().stream().filter(st -> st.awaitingDispatch(now)).forEach(StepState::touch);
                    List<EventRow> events = events(loaded, decision, now);
                    return Uni.combine().all().unis(store.save(tx, run, s -> dueAt(s, now)),
                                    insertCommands(tx, commands), insertEvents(tx, events)).discardItems()
                            .invoke(() -> {
                                commands.forEach(c -> outgoing.add(new OutboxMessage(OutboxMessage.Kind.COMMAND,
                                        c.id(), c.subject(), c.payload())));
                                events.forEach(e -> outgoing.add(new OutboxMessage(OutboxMessage.Kind.EVENT, e.id,
                                        e.subject, e.payload)));
                            });
                })
                .invoke(() -> engineMetrics.decided(run, decision, now))
                .replaceWith(decision);
    }

    void afterCommit(RunState run, Decision decision, List<OutboxMessage> outgoing) {
        relay.publish(outgoing);
        if (decision == null || run == null) {
            return;
        }
        for (Decision.Event e : decision.events) {
            EngineLog.event(run, e);
        }
        if (!decision.releasedWorkers.isEmpty() && dispatcher.someStepWaits()) {
            capacityFreed.run();
        }
    }

    private void ignored(String reason) {
        metrics.counter("scanflow.results.ignored", "reason", reason).increment();
        LOG.debugf("result ignored: %s", reason);
    }

    // ------------------------------------------------------------------ helpers

    private boolean evaluate(String cel, Map<String, Object> variables) throws Exception {
        var condition = compiled.get(cel);
        if (condition == null) {
            condition = compiler.compile(cel);
            if (compiled.size() > 10_000) {
                compiled.clear();
            }
            compiled.put(cel, condition);
        }
        return ConditionEvaluator.evaluate(condition, variables);
    }

    /** The next moment the sweeper must look at a step, or null when it needs no clock. */
    Instant dueAt(StepState s, Instant now) {
        var engine = config.engine();
        if (s.status == StepStatus.RUNNING) {
            return s.startedAt == null ? now : s.startedAt.plusSeconds(s.timeoutSeconds);
        }
        if (s.status == StepStatus.QUEUED) {
            if (s.commandId != null) {
                return s.dispatchedAt.plus(engine.ackTimeout());
            }
            if (s.nextAttemptAt != null && s.nextAttemptAt.isAfter(now)) {
                return s.nextAttemptAt;
            }
            Instant since = s.nextAttemptAt != null && s.nextAttemptAt.isAfter(s.queuedAt) ? s.nextAttemptAt : s.queuedAt;
            return since.plus(engine.queueTimeout());
        }
        return null;
    }

    /** Frees the slots the steps held (they stay locked by this transaction until it ends). */
    private Uni<Void> releaseSlots(SqlClient tx, List<UUID> steps) {
        if (steps.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("UPDATE worker_slots SET step_run_id = NULL WHERE step_run_id = ANY($1)")
                .execute(Tuple.of(steps.toArray(UUID[]::new))).replaceWithVoid();
    }

    private Uni<Void> insertCommands(SqlClient tx, List<Dispatcher.CommandRow> commands) {
        if (commands.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = commands.stream().map(c -> Tuple.from(Arrays.asList(c.id(), c.tenantId(), c.runId(),
                c.stepRunId(), c.workerId(), c.type(), c.priority(), new io.vertx.core.json.JsonObject(c.body()),
                c.subject(), c.attempt(), RunStore.odt(c.createdAt())))).toList();
        return tx.preparedQuery("INSERT INTO commands (id, tenant_id, run_id, step_run_id, worker_id, type, priority, "
                        + "payload, status, subject, attempt, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                        + "'pending', $9, $10, $11)")
                .executeBatch(batch).replaceWithVoid();
    }

    record EventRow(UUID id, UUID tenantId, UUID runId, String type, String stepKey, String subject,
            Map<String, Object> body, byte[] payload) {
    }

    private List<EventRow> events(LoadedRun loaded, Decision decision, Instant now) {
        RunState run = loaded.state();
        List<EventRow> rows = new ArrayList<>();
        for (Decision.Event e : decision.events) {
            UUID id = UUID.randomUUID();
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("id", id.toString());
            payload.put("type", e.type());
            payload.put("occurred_at", now.toString());
            payload.put("tenant_id", run.tenantId.toString());
            payload.put("pipeline_run_id", run.id.toString());
            payload.put("pipeline_id", loaded.pipelineId().toString());
            payload.put("pipeline_version", loaded.pipelineVersion());
            payload.put("asset_id", loaded.assetId().toString());
            payload.put("step_id", e.stepKey());
            payload.put("data", e.data());
            try {
                rows.add(new EventRow(id, run.tenantId, run.id, e.type(), e.stepKey(),
                        subjects.event(run.tenantId, e.type()), payload, mapper.writeValueAsBytes(payload)));
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return rows;
    }

    private Uni<Void> insertEvents(SqlClient tx, List<EventRow> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = new ArrayList<>();
        for (EventRow e : events) {
            batch.add(Tuple.from(Arrays.asList(e.id, e.tenantId, e.runId, e.stepKey, e.type, e.subject,
                    new io.vertx.core.json.JsonObject(e.body))));
        }
        return tx.preparedQuery("INSERT INTO run_events (id, tenant_id, run_id, step_key, type, subject, payload) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .executeBatch(batch).replaceWithVoid();
    }
}
