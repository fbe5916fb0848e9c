package dev.scanflow.engine;

import dev.scanflow.domain.Decision;
import dev.scanflow.domain.RunDecider;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.RunStatus;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.WorkerMatcher;
import dev.scanflow.domain.WorkerResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The transaction that applies decisions (docs/adr/0001, 0002, 0004). Every way into the engine
 * ends here: a batch of worker results, a decision on one run (clock, cancel, retry, lost
 * worker), a new run. Each locks its runs (in id order) and then goes through the same phases
 * ({@link #apply}): decide ({@link RunDecider}, in memory), assign (free and claim worker
 * slots), write ({@link TransitionWrites}), and after the commit publish ({@link AfterCommit}).
 */
@ApplicationScoped
public class RunTransactions {

    private static final Logger LOG = Logger.getLogger(RunTransactions.class);

    private final Pool pool;
    private final RunRows runs;
    private final WorkerSlots slots;
    private final WorkerAssignment assignment;
    private final CommandFactory commands;
    private final RunDecider decider;
    private final EngineMetrics metrics;
    private final TransitionWrites writes;
    private final AfterCommit after;
    private final TargetHolds holds;
    private final RunLimits limits;
    private final WaitingSteps waiting;

    public RunTransactions(Pool pool, RunRows runs, WorkerSlots slots, WorkerAssignment assignment,
            CommandFactory commands, RunDecider decider, EngineMetrics metrics, TransitionWrites writes,
            AfterCommit after, TargetHolds holds, RunLimits limits, WaitingSteps waiting) {
        this.holds = holds;
        this.limits = limits;
        this.waiting = waiting;
        this.pool = pool;
        this.runs = runs;
        this.slots = slots;
        this.assignment = assignment;
        this.commands = commands;
        this.decider = decider;
        this.metrics = metrics;
        this.writes = writes;
        this.after = after;
    }

    // ------------------------------------------------------------------ ways in

    /**
     * One transaction for a batch of results: lock the results' runs (in id order), decide each
     * result in order, write. BEGIN goes out with the locking reads (and the candidate workers'
     * read) and COMMIT with the writes, pipelined, so the transaction costs three round trips:
     * lock and load, free and claim slots, write and commit. A statement that fails aborts the
     * transaction, and PostgreSQL then answers the pipelined COMMIT by rolling back; the failure
     * is reported and ROLLBACK sent before the connection goes back to the pool.
     */
    Uni<Void> applyResults(List<WorkerResult> batch) {
        List<OutboxMessage> outgoing = new ArrayList<>();
        List<Transition> transitions = new ArrayList<>();
        int[] unknown = {0};
        List<UUID> commandIds = batch.stream().map(WorkerResult::commandId).toList();
        List<WorkerMatcher.Candidate> candidates = new ArrayList<>();
        return pool.withConnection(conn -> Uni.combine().all()
                        .unis(conn.query("BEGIN").execute(), runs.lockByCommands(conn, commandIds),
                                slots.candidatesForCommands(conn, commandIds))
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
                                    t.rule((run, now) -> decider.onResult(run, result, now));
                                }
                            }
                            // a report on a command a worker was given, even a late one, is an acknowledgement
                            List<String> acknowledged = batch.stream()
                                    .filter(r -> locked.runOfCommand().containsKey(r.commandId()))
                                    .map(WorkerResult::subjectWorkerId).distinct().toList();
                            return apply(conn, transitions, outgoing, true, candidates, acknowledged);
                        })
                        .onFailure().call(e -> conn.query("ROLLBACK").execute().onFailure().recoverWithNull()))
                .invoke(() -> {
                    for (int i = 0; i < unknown[0]; i++) {
                        ignored("unknown");
                    }
                    transitions.forEach(t -> t.applied().forEach(d -> metrics.resultApplied()));
                    afterCommit(transitions, outgoing);
                });
    }

    /** Runs a rule on a run under its lock; null when the run is absent or (skipLocked) busy. */
    Uni<Decision> decide(UUID runId, boolean skipLocked, BiFunction<RunState, Instant, Decision> rule) {
        List<OutboxMessage> outgoing = new ArrayList<>();
        Transition[] done = new Transition[1];
        return pool.withTransaction(tx -> runs.lock(tx, runId, skipLocked).chain(loaded -> {
                    if (loaded == null) {
                        return Uni.createFrom().nullItem();
                    }
                    Transition t = new Transition(loaded).rule(rule);
                    done[0] = t;
                    return apply(tx, List.of(t), outgoing, false, null, List.of()).map(v -> t.decisions.get(0));
                }))
                .invoke(() -> afterCommit(done[0] == null ? List.of() : List.of(done[0]), outgoing));
    }

    /**
     * A dispatch pass's plan in one transaction: the planned runs are locked (in id order,
     * skipping busy ones: their own transaction gives out slots), each gets its clock
     * ({@link RunDecider#tick}) and only its planned steps may take a worker; then one write for
     * all. Returns how many runs were ticked.
     */
    Uni<Integer> dispatch(Map<UUID, Set<UUID>> planned) {
        List<OutboxMessage> outgoing = new ArrayList<>();
        List<Transition> transitions = new ArrayList<>();
        List<UUID> ids = planned.keySet().stream().sorted().toList();
        return pool.withTransaction(tx -> runs.lockSkipping(tx, ids).chain(locked -> {
                    for (LoadedRun loaded : locked) {
                        transitions.add(new Transition(loaded).rule(decider::tick)
                                .dispatchOnly(planned.get(loaded.state().id)));
                    }
                    return transitions.isEmpty() ? Uni.createFrom().voidItem()
                            : apply(tx, transitions, outgoing, false, null, List.of());
                }))
                .invoke(() -> afterCommit(transitions, outgoing))
                .map(v -> transitions.size());
    }

    /**
     * A rule that starts an ended run again (a retry) under the run limits: the run is locked,
     * then its tenant's and pipeline's limit keys, and when either limit is reached (or runs wait
     * under it) {@link RunLimitReached} fails the transaction with the reason, nothing written.
     */
    Uni<Decision> decideWithinLimits(UUID runId, BiFunction<RunState, Instant, Decision> rule) {
        List<OutboxMessage> outgoing = new ArrayList<>();
        Transition[] done = new Transition[1];
        return pool.withTransaction(tx -> runs.lock(tx, runId, false).chain(loaded -> {
                    if (loaded == null) {
                        return Uni.createFrom().nullItem();
                    }
                    List<RunLimits.Ask> asks = List.of(new RunLimits.Ask(runId, loaded.state().tenantId,
                            loaded.pipelineId(), loaded.maxConcurrentRuns()));
                    Uni<Map<UUID, String>> held = limits.limited(asks)
                            ? limits.lockAndCount(tx, asks).map(counts -> limits.decide(asks, counts, false))
                            : Uni.createFrom().item(Map.of());
                    return held.chain(reasons -> {
                        Transition t = new Transition(loaded).rule((run, now) -> {
                            Decision d = rule.apply(run, now); // the caller's checks first (tenant, state)
                            if (reasons.containsKey(runId)) {
                                throw new RunLimitReached(reasons.get(runId));
                            }
                            return d;
                        });
                        done[0] = t;
                        return apply(tx, List.of(t), outgoing, false, null, List.of()).map(v -> t.decisions.get(0));
                    });
                }))
                .invoke(() -> afterCommit(done[0] == null ? List.of() : List.of(done[0]), outgoing));
    }

    /**
     * The caller's work and a rule on the runs it concerns, in one transaction, so that a crash
     * leaves both or neither (deregistering a worker: its row goes, its steps go to other
     * workers). The runs {@code runsOf} names are locked first, in id order as everywhere, then
     * the work runs, then runs it names now (a step given to the worker meanwhile) are locked
     * too, and the rule decides each.
     */
    Uni<Void> decideAround(Function<SqlConnection, Uni<List<UUID>>> runsOf, PlannedWrite work,
            BiFunction<RunState, Instant, Decision> rule) {
        List<OutboxMessage> outgoing = new ArrayList<>();
        List<Transition> transitions = new ArrayList<>();
        Set<UUID> locked = new HashSet<>();
        return pool.withTransaction(tx -> lockAll(tx, runsOf, locked, transitions, rule)
                        .chain(() -> work.run(tx))
                        .call(() -> lockAll(tx, runsOf, locked, transitions, rule))
                        .call(() -> transitions.isEmpty() ? Uni.createFrom().voidItem()
                                : apply(tx, transitions, outgoing, false, null, List.of())))
                .replaceWithVoid()
                .invoke(() -> afterCommit(transitions, outgoing));
    }

    private Uni<Void> lockAll(SqlConnection tx, Function<SqlConnection, Uni<List<UUID>>> runsOf, Set<UUID> locked,
            List<Transition> transitions, BiFunction<RunState, Instant, Decision> rule) {
        return runsOf.apply(tx).chain(ids -> Multi.createFrom().iterable(ids.stream().filter(locked::add).sorted().toList())
                .onItem().transformToUniAndConcatenate(id -> runs.lock(tx, id, false))
                .filter(loaded -> loaded != null)
                .invoke(loaded -> transitions.add(new Transition(loaded).rule(rule)))
                .collect().last().replaceWithVoid());
    }

    /**
     * Writes a {@link RunStartPlan} in one transaction (ADR 0008): its guards in order, the active
     * runs it expects, the cancels, the new runs created and started, its records; everything
     * commits together, so a trigger's fire leaves all of its runs and records or none. False,
     * with nothing written, when a guard finds no row or the active runs are not as expected.
     */
    Uni<Boolean> start(RunStartPlan plan) {
        List<OutboxMessage> outgoing = new ArrayList<>();
        List<Transition> transitions = new ArrayList<>();
        return pool.withTransaction(tx -> PlannedWrite.guards(tx, plan.guards())
                        .call(() -> expectations(tx, plan.expected()))
                        .call(() -> Multi.createFrom().iterable(plan.cancel())
                                .onItem().transformToUniAndConcatenate(id -> runs.lock(tx, id, false))
                                .filter(loaded -> loaded != null)
                                .invoke(loaded -> transitions.add(new Transition(loaded).rule(decider::cancel)))
                                .collect().last())
                        .chain(() -> heldByLimits(tx, plan.runs()))
                        .chain(heldBack -> {
                            for (NewRun run : plan.runs()) {
                                LoadedRun loaded = new LoadedRun(run.state(), run.pipelineId(), run.pipelineVersion(),
                                        run.pipelineName(), run.assetId(), run.priority(), run.maxConcurrentRuns());
                                String reason = heldBack.get(run.state().id);
                                if (reason == null) {
                                    transitions.add(new Transition(loaded).rule(decider::start));
                                } else {
                                    run.state().waitReason = reason; // stays pending until a limit lets it start
                                }
                            }
                            return runs.insert(tx, plan.runs(), now());
                        })
                        .call(() -> transitions.isEmpty() ? Uni.createFrom().voidItem()
                                : apply(tx, transitions, outgoing, false, null, List.of()))
                        .call(() -> PlannedWrite.all(tx, plan.records())))
                .map(v -> true)
                .invoke(() -> afterCommit(transitions, outgoing))
                .onFailure(PlannedWrite.Stale.class).recoverWithItem(false);
    }

    /** The new runs a run limit holds back, with why (nothing locked or read when no limit applies). */
    private Uni<Map<UUID, String>> heldByLimits(SqlConnection tx, List<NewRun> newRuns) {
        List<RunLimits.Ask> asks = newRuns.stream().map(r -> new RunLimits.Ask(r.state().id, r.state().tenantId,
                r.pipelineId(), r.maxConcurrentRuns())).toList();
        if (!limits.limited(asks)) {
            return Uni.createFrom().item(Map.of());
        }
        return limits.lockAndCount(tx, asks).map(counts -> limits.decide(asks, counts, false));
    }

    /**
     * Starts the held runs ({@code asks}, in the order they may start) that their limits let start
     * now, in one transaction: the limit keys are locked and counted, then the runs (in id order,
     * skipping busy ones) are started by the decider. A run still held keeps waiting with its
     * (possibly new) reason. Returns how many started.
     */
    Uni<Integer> admit(List<RunLimits.Ask> asks) {
        List<OutboxMessage> outgoing = new ArrayList<>();
        List<Transition> transitions = new ArrayList<>();
        return pool.withTransaction(tx -> limits.lockAndCount(tx, asks).chain(counts -> {
                    Map<UUID, String> heldBack = limits.decide(asks, counts, true);
                    List<UUID> ids = asks.stream().map(RunLimits.Ask::run).sorted().toList();
                    return Multi.createFrom().iterable(ids)
                            .onItem().transformToUniAndConcatenate(id -> runs.lock(tx, id, true))
                            .filter(loaded -> loaded != null && loaded.state().status == RunStatus.PENDING
                                    && loaded.state().waitReason != null)
                            .invoke(loaded -> {
                                String reason = heldBack.get(loaded.state().id);
                                transitions.add(new Transition(loaded).rule((run, now) -> {
                                    if (reason != null) {
                                        run.hold(reason);
                                        return new Decision();
                                    }
                                    return decider.start(run, now);
                                }));
                            })
                            .collect().asList()
                            .chain(() -> transitions.isEmpty() ? Uni.createFrom().voidItem()
                                    : apply(tx, transitions, outgoing, false, null, List.of()));
                }))
                .invoke(() -> afterCommit(transitions, outgoing))
                .map(v -> (int) transitions.stream().filter(t -> t.loaded.state().status != RunStatus.PENDING).count());
    }

    private Uni<Void> expectations(SqlConnection tx, List<RunStartPlan.ActiveRuns> expected) {
        return Multi.createFrom().iterable(expected)
                .onItem().transformToUniAndConcatenate(e -> runs.activeOn(tx, e.pipelineId(), e.assetIds()).invoke(now -> {
                    // a run started meanwhile changes an overlap decision; one that ended does not
                    if (!e.runIds().containsAll(now)) {
                        throw new PlannedWrite.Stale();
                    }
                }))
                .collect().last().replaceWithVoid();
    }


    // ------------------------------------------------------------------ the phases

    /**
     * Decides on locked runs inside the caller's transaction and writes what changed, in at most
     * four round trips whatever the number of runs: free slots and find candidate workers
     * (pipelined), claim slots (one statement per chosen worker, pipelined), then every write at
     * once (pipelined). With {@code commit}, the caller began the transaction with a plain BEGIN
     * and COMMIT is sent right behind the writes; else the caller commits. With
     * {@code candidates} (read by the caller with its locking reads) the slots are freed and
     * claimed in one round trip. What is to be published is added to {@code outgoing} once written.
     */
    private Uni<Void> apply(SqlConnection tx, List<Transition> transitions, List<OutboxMessage> outgoing,
            boolean commit, List<WorkerMatcher.Candidate> candidates, List<String> acknowledged) {
        Instant now = now();
        WriteSet set = decideEach(transitions, now);
        if (set.isEmpty()) {
            return writes.acknowledgedOnly(tx, acknowledged, commit);
        }
        return assign(tx, set, candidates, now)
                .chain(() -> writes.write(tx, set, acknowledged, commit, now))
                .invoke(() -> outgoing.addAll(set.outgoing()))
                .invoke(() -> set.changed.forEach(t -> t.applied()
                        .forEach(d -> metrics.decided(t.loaded.state(), d, now))));
    }

    /**
     * Decide: each run's rules in order, in memory; the applied decisions' freed slots, benched
     * workers and cancel commands are gathered. An ignored input is counted and changes nothing.
     */
    private WriteSet decideEach(List<Transition> transitions, Instant now) {
        WriteSet set = new WriteSet();
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
                set.unacknowledged.addAll(decision.unacknowledged);
                set.released.addAll(decision.releasedSteps);
                set.releasedFrom.addAll(decision.releasedWorkers);
                for (Decision.CancelOrder c : decision.cancels) {
                    set.commands.add(commands.cancel(run, run.step(c.stepKey()), c.commandId(), c.workerId(),
                            t.loaded.priority(), now));
                }
            }
            if (applied) {
                set.changed.add(t);
            }
        }
        return set;
    }

    /**
     * Assign: the slots the decisions freed are freed and the steps waiting for a worker claim
     * slots ({@link WorkerAssignment}); with {@code candidates} in one round trip, else after
     * reading the candidates in the round trip of the release. The scan commands join the set;
     * steps still waiting are touched, so that their due time moves on when they are saved.
     */
    private Uni<Void> assign(SqlConnection tx, WriteSet set, List<WorkerMatcher.Candidate> candidates, Instant now) {
        List<LoadedRun> loaded = set.runs();
        List<RunState> states = set.states();
        List<String> freedSlotsOf = set.freedSlotsOf();
        Predicate<StepState> may = mayDispatch(set);
        Uni<List<CommandFactory.CommandRow>> dispatched = candidates != null
                // free, then claim, sent together: the claims see the slots just freed
                ? Uni.combine().all().unis(slots.release(tx, set.released, set.releasedFrom), holds.release(tx, set.released),
                                Uni.createFrom().deferred(() -> assignment.assign(tx, loaded,
                                        set.notBenched(WorkerSlots.withFreed(candidates, freedSlotsOf)), may, now)))
                        .with(all -> (List<CommandFactory.CommandRow>) all.get(2))
                : Uni.combine().all().unis(slots.release(tx, set.released, set.releasedFrom), holds.release(tx, set.released),
                                slots.candidates(tx, WorkerAssignment.tenantsWaiting(states, now)))
                        .with(all -> (List<WorkerMatcher.Candidate>) all.get(2))
                        .chain(found -> assignment.assign(tx, loaded, set.notBenched(found), may, now));
        return dispatched.invoke(scans -> {
            set.commands.addAll(scans);
            Map<UUID, StepState> steps = new HashMap<>();
            states.forEach(r -> r.steps().forEach(st -> steps.put(st.id, st)));
            scans.forEach(c -> metrics.dispatched(steps.get(c.stepRunId()), now));
            // steps still waiting for a worker are saved too, so their due time moves on
            steps.values().stream().filter(st -> st.awaitingDispatch(now)).forEach(StepState::touch);
        }).replaceWithVoid();
    }

    /**
     * Which waiting steps may take a worker in this transaction: those a dispatch pass planned
     * for it; in any other transaction, all of them only while no step waits in line on this
     * replica's last view (else a free slot goes by priority and fair share, in the next pass).
     */
    private Predicate<StepState> mayDispatch(WriteSet set) {
        Set<UUID> planned = new HashSet<>();
        boolean anyPlanned = false;
        for (Transition t : set.changed) {
            if (t.dispatchOnly != null) {
                planned.addAll(t.dispatchOnly);
                anyPlanned = true;
            }
        }
        if (anyPlanned) {
            return s -> planned.contains(s.id);
        }
        boolean free = !waiting.some();
        return s -> free;
    }

    /** After commit: publish what was written, log the state changes, ask for a dispatch pass if slots were freed. */
    private void afterCommit(List<Transition> transitions, List<OutboxMessage> outgoing) {
        after.run(transitions, outgoing);
    }

    private void ignored(String reason) {
        metrics.resultIgnored(reason);
        LOG.debugf("result ignored: %s", reason);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
