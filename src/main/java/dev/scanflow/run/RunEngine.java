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
import dev.scanflow.domain.WorkerMatcher;
import dev.scanflow.domain.WorkerResult;
import dev.scanflow.nats.Subjects;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
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
    private final ConcurrentLinkedQueue<PendingResult> results = new ConcurrentLinkedQueue<>();
    private final AtomicInteger resultTransactions = new AtomicInteger();
    private final DistributionSummary batchSizes;

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
        this.batchSizes = DistributionSummary.builder("scanflow.engine.batch.size")
                .description("worker results applied in one transaction").register(metrics);
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

    /** One run's inputs in a transaction: the rules applied in order, and what each decided. */
    static final class Transition {
        final LoadedRun loaded;
        final List<BiFunction<RunState, Instant, Decision>> rules = new ArrayList<>();
        final List<Decision> decisions = new ArrayList<>();

        Transition(LoadedRun loaded) {
            this.loaded = loaded;
        }
    }

    private record PendingResult(WorkerResult result, CompletableFuture<Void> applied) {
    }

    /**
     * Applies a worker's result; completes once it is committed (or was ignored: unknown command,
     * duplicate, stale, spoofed; counted). Results are applied in batches: while fewer than
     * {@code transition-concurrency} transactions are open, whatever results are waiting (up to
     * {@code transition-batch-size}) go into one transaction. An idle engine applies a result at
     * once, alone; a busy one applies many per transaction, in fewer statements and commits.
     */
    public Uni<Void> onResult(WorkerResult result) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Void> applied = new CompletableFuture<>();
            results.add(new PendingResult(result, applied));
            drainResults();
            return Uni.createFrom().completionStage(applied);
        });
    }

    private void drainResults() {
        while (!results.isEmpty()) {
            int open = resultTransactions.get();
            if (open >= config.engine().transitionConcurrency()) {
                return; // the next transaction to finish drains again
            }
            if (!resultTransactions.compareAndSet(open, open + 1)) {
                continue;
            }
            List<PendingResult> batch = new ArrayList<>();
            PendingResult next;
            while (batch.size() < config.engine().transitionBatchSize() && (next = results.poll()) != null) {
                batch.add(next);
            }
            if (batch.isEmpty()) {
                resultTransactions.decrementAndGet();
                continue;
            }
            batchSizes.record(batch.size());
            applyResults(batch).subscribe().with(v -> resultsDone(), e -> resultsDone());
        }
    }

    private void resultsDone() {
        resultTransactions.decrementAndGet();
        drainResults();
    }

    private Uni<Void> applyResults(List<PendingResult> batch) {
        return applyResultBatch(batch.stream().map(PendingResult::result).toList())
                .invoke(() -> batch.forEach(p -> p.applied().complete(null)))
                .onFailure().recoverWithUni(error -> {
                    if (batch.size() == 1) {
                        batch.get(0).applied().completeExceptionally(error);
                        return Uni.createFrom().voidItem();
                    }
                    // one result may be at fault: apply each alone, so that the others go through
                    LOG.debugf("batch of %d results failed (%s); applying them one by one", batch.size(), error);
                    return Multi.createFrom().iterable(batch)
                            .onItem().transformToUniAndConcatenate(p -> applyResultBatch(List.of(p.result()))
                                    .invoke(() -> p.applied().complete(null))
                                    .onFailure().invoke(p.applied()::completeExceptionally)
                                    .onFailure().recoverWithNull())
                            .collect().last().replaceWithVoid();
                });
    }

    /**
     * One transaction: lock the results' runs (in id order), decide each result in order, write.
     * BEGIN goes out with the locking reads (and the candidate workers' read) and COMMIT with the
     * writes, pipelined, so the transaction costs three round trips: lock and load, free and
     * claim slots, write and commit. A statement that fails aborts the transaction, and PostgreSQL
     * then answers the pipelined COMMIT by rolling back; the failure is reported and ROLLBACK
     * sent before the connection goes back to the pool.
     */
    private Uni<Void> applyResultBatch(List<WorkerResult> batch) {
        List<OutboxMessage> outgoing = new ArrayList<>();
        List<Transition> transitions = new ArrayList<>();
        int[] unknown = {0};
        List<UUID> commandIds = batch.stream().map(WorkerResult::commandId).toList();
        List<WorkerMatcher.Candidate> candidates = new ArrayList<>();
        return pool.withConnection(conn -> Uni.combine().all()
                        .unis(conn.query("BEGIN").execute(), store.lockByCommands(conn, commandIds),
                                dispatcher.candidatesForCommands(conn, commandIds))
                        .with((begun, locked, workers) -> {
                            candidates.addAll(workers);
                            return locked;
                        })
                        .chain(locked -> {
                            Map<UUID, Transition> byRun = new LinkedHashMap<>();
                            for (LoadedRun loaded : locked.runs()) {
                                Transition t = new Transition(loaded);
                                byRun.put(loaded.state().id, t);
                                transitions.add(t);
                            }
                            for (WorkerResult result : batch) {
                                Transition t = byRun.get(locked.runOfCommand().get(result.commandId()));
                                if (t == null) {
                                    unknown[0]++;
                                } else {
                                    t.rules.add((run, now) -> decider.onResult(run, result, now));
                                }
                            }
                            return apply(conn, transitions, outgoing, true, candidates);
                        })
                        .onFailure().call(e -> conn.query("ROLLBACK").execute().onFailure().recoverWithNull()))
                .invoke(() -> {
                    for (int i = 0; i < unknown[0]; i++) {
                        ignored("unknown");
                    }
                    transitions.forEach(t -> t.decisions.stream().filter(d -> d.ignored() == null)
                            .forEach(d -> engineMetrics.resultApplied()));
                    afterCommit(transitions, outgoing);
                });
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
        Transition t = new Transition(loaded);
        t.rules.add(rule);
        return apply(tx, List.of(t), outgoing, false, null).map(v -> t.decisions.get(0));
    }

    /**
     * Decides on locked runs inside the caller's transaction and writes what changed, in four
     * round trips whatever the number of runs: free slots and find candidate workers
     * (pipelined), claim slots (one statement per chosen worker, pipelined), then every write at
     * once (pipelined). With {@code commit}, the caller began the transaction with a plain
     * BEGIN and COMMIT is sent right behind the writes; else the caller commits. Either way the
     * caller then hands {@code outgoing} to {@link #afterCommit}. With {@code candidates} (read
     * by the caller with its locking reads) the slots are freed and claimed in one round trip.
     */
    Uni<Void> apply(SqlConnection tx, List<Transition> transitions, List<OutboxMessage> outgoing, boolean commit,
            List<WorkerMatcher.Candidate> candidates) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<Transition> changed = new ArrayList<>();
        List<UUID> released = new ArrayList<>();
        List<Dispatcher.CommandRow> commands = new ArrayList<>();
        for (Transition t : transitions) {
            RunState run = t.loaded.state();
            boolean applied = false;
            for (BiFunction<RunState, Instant, Decision> rule : t.rules) {
                Decision decision = rule.apply(run, now);
                t.decisions.add(decision);
                if (decision.ignored() != null) {
                    ignored(decision.ignored());
                    continue;
                }
                applied = true;
                released.addAll(decision.releasedSteps);
                for (Decision.CancelOrder c : decision.cancels) {
                    commands.add(dispatcher.cancelCommand(run, run.step(c.stepKey()), c.commandId(), c.workerId(),
                            t.loaded.priority(), now));
                }
            }
            if (applied) {
                changed.add(t);
            }
        }
        if (changed.isEmpty()) {
            return commit ? tx.query("COMMIT").execute().replaceWithVoid() : Uni.createFrom().voidItem();
        }
        List<LoadedRun> loaded = changed.stream().map(t -> t.loaded).toList();
        List<RunState> runs = loaded.stream().map(LoadedRun::state).toList();
        List<String> freedSlotsOf = changed.stream().flatMap(t -> t.decisions.stream())
                .filter(d -> d.ignored() == null).flatMap(d -> d.releasedWorkers.stream()).toList();
        Uni<List<Dispatcher.CommandRow>> dispatched = candidates != null
                // free, then claim, sent together: the claims see the slots just freed
                ? Uni.combine().all().unis(releaseSlots(tx, released),
                                Uni.createFrom().deferred(() -> dispatcher.assign(tx, loaded,
                                        Dispatcher.withFreed(candidates, freedSlotsOf), now)))
                        .with((freed, scans) -> scans)
                : Uni.combine().all().unis(releaseSlots(tx, released), dispatcher.candidates(tx, runs, now))
                        .withUni((freed, found) -> dispatcher.assign(tx, loaded, found, now));
        return dispatched
                .chain(scans -> {
                    commands.addAll(scans);
                    Map<UUID, StepState> steps = new java.util.HashMap<>();
                    runs.forEach(r -> r.steps().forEach(st -> steps.put(st.id, st)));
                    scans.forEach(c -> engineMetrics.dispatched(steps.get(c.stepRunId()), now));
                    // steps still waiting for a worker are saved too, so their due time moves on
                    steps.values().stream().filter(st -> st.awaitingDispatch(now)).forEach(StepState::touch);
                    List<EventRow> events = new ArrayList<>();
                    for (Transition t : changed) {
                        t.decisions.stream().filter(d -> d.ignored() == null)
                                .forEach(d -> events.addAll(events(t.loaded, d, now)));
                    }
                    List<Uni<?>> writes = new ArrayList<>(List.of(store.save(tx, runs, s -> dueAt(s, now)),
                            insertCommands(tx, commands), insertEvents(tx, events)));
                    if (commit) {
                        writes.add(tx.query("COMMIT").execute());
                    }
                    return Uni.combine().all().unis(writes).discardItems()
                            .invoke(() -> {
                                commands.forEach(c -> outgoing.add(new OutboxMessage(OutboxMessage.Kind.COMMAND,
                                        c.id(), c.subject(), c.payload())));
                                events.forEach(e -> outgoing.add(new OutboxMessage(OutboxMessage.Kind.EVENT, e.id,
                                        e.subject, e.payload)));
                            });
                })
                .invoke(() -> changed.forEach(t -> t.decisions.stream().filter(d -> d.ignored() == null)
                        .forEach(d -> engineMetrics.decided(t.loaded.state(), d, now))));
    }

    void afterCommit(RunState run, Decision decision, List<OutboxMessage> outgoing) {
        relay.publish(outgoing);
        if (decision == null || run == null) {
            return;
        }
        logAndFree(run, List.of(decision));
    }

    void afterCommit(List<Transition> transitions, List<OutboxMessage> outgoing) {
        relay.publish(outgoing);
        for (Transition t : transitions) {
            logAndFree(t.loaded.state(), t.decisions);
        }
    }

    private void logAndFree(RunState run, List<Decision> decisions) {
        boolean freed = false;
        for (Decision decision : decisions) {
            if (decision.ignored() != null) {
                continue;
            }
            for (Decision.Event e : decision.events) {
                EngineLog.event(run, e);
            }
            freed |= !decision.releasedWorkers.isEmpty();
        }
        if (freed && dispatcher.someStepWaits()) {
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
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("pipeline_run_id", run.id.toString());
            data.put("pipeline_name", loaded.pipelineName());
            data.putAll(e.data());
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("event", e.type());
            payload.put("timestamp", now.toString());
            payload.put("data", data);
            payload.put("id", id.toString());
            // protocol 1.1 renamed these to event and timestamp; kept until protocol 2
            payload.put("type", e.type());
            payload.put("occurred_at", now.toString());
            payload.put("tenant_id", run.tenantId.toString());
            payload.put("pipeline_run_id", run.id.toString());
            payload.put("pipeline_id", loaded.pipelineId().toString());
            payload.put("pipeline_version", loaded.pipelineVersion());
            payload.put("asset_id", loaded.assetId().toString());
            payload.put("step_id", e.stepKey());
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
