package dev.scanflow.engine;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.Decision;
import dev.scanflow.domain.RunDecider;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.WorkerMatcher;
import dev.scanflow.domain.WorkerResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
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
import org.jboss.logging.Logger;

/**
 * The transaction that applies decisions (docs/adr/0001, 0002, 0004): lock the runs, let
 * {@link RunDecider} decide, give queued steps to workers, write the steps, the runs, the
 * commands and the events, commit, then publish the commands and events. Every way into the
 * engine ends here: a batch of worker results, a decision on one run (clock, cancel, retry,
 * lost worker), a new run.
 */
@ApplicationScoped
public class RunTransactions {

    private static final Logger LOG = Logger.getLogger(RunTransactions.class);

    private final Pool pool;
    private final RunRows runs;
    private final WorkerSlots slots;
    private final WorkerAssignment assignment;
    private final CommandFactory commands;
    private final EventFactory events;
    private final CommandOutbox commandOutbox;
    private final EventOutbox eventOutbox;
    private final OutboxRelay relay;
    private final DueTimes dueTimes;
    private final RunDecider decider;
    private final EngineMetrics metrics;
    private final MeterRegistry registry;
    private final WaitingSteps waiting;
    private final Event<CapacityFreed> capacityFreed;
    private final ScanflowConfig config;

    public RunTransactions(Pool pool, RunRows runs, WorkerSlots slots, WorkerAssignment assignment,
            CommandFactory commands, EventFactory events, CommandOutbox commandOutbox, EventOutbox eventOutbox,
            OutboxRelay relay, DueTimes dueTimes, RunDecider decider, EngineMetrics metrics, MeterRegistry registry,
            WaitingSteps waiting, Event<CapacityFreed> capacityFreed, ScanflowConfig config) {
        this.pool = pool;
        this.runs = runs;
        this.slots = slots;
        this.assignment = assignment;
        this.commands = commands;
        this.events = events;
        this.commandOutbox = commandOutbox;
        this.eventOutbox = eventOutbox;
        this.relay = relay;
        this.dueTimes = dueTimes;
        this.decider = decider;
        this.metrics = metrics;
        this.registry = registry;
        this.waiting = waiting;
        this.capacityFreed = capacityFreed;
        this.config = config;
    }

    /** One run's inputs in a transaction: the rules applied in order, and what each decided. */
    static final class Transition {
        final LoadedRun loaded;
        final List<BiFunction<RunState, Instant, Decision>> rules = new ArrayList<>();
        final List<Decision> decisions = new ArrayList<>();

        Transition(LoadedRun loaded) {
            this.loaded = loaded;
        }

        Transition rule(BiFunction<RunState, Instant, Decision> rule) {
            rules.add(rule);
            return this;
        }
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
                    transitions.forEach(t -> t.decisions.stream().filter(d -> d.ignored() == null)
                            .forEach(d -> metrics.resultApplied()));
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

    /** A plan found stale in its transaction: rolled back, reported as not written. */
    private static final class StalePlan extends RuntimeException {
        StalePlan() {
            super(null, null, false, false);
        }
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
        return pool.withTransaction(tx -> guards(tx, plan.guards())
                        .call(() -> expectations(tx, plan.expected()))
                        .call(() -> Multi.createFrom().iterable(plan.cancel())
                                .onItem().transformToUniAndConcatenate(id -> runs.lock(tx, id, false))
                                .filter(loaded -> loaded != null)
                                .invoke(loaded -> transitions.add(new Transition(loaded).rule(decider::cancel)))
                                .collect().last())
                        .call(() -> {
                            Instant now = now();
                            List<Uni<Void>> inserts = new ArrayList<>();
                            for (NewRun run : plan.runs()) {
                                LoadedRun loaded = new LoadedRun(run.state(), run.pipelineId(), run.pipelineVersion(),
                                        run.pipelineName(), run.assetId(), run.priority());
                                transitions.add(new Transition(loaded).rule(decider::start));
                                inserts.add(runs.insert(tx, loaded, run, now));
                            }
                            return inserts.isEmpty() ? Uni.createFrom().voidItem()
                                    : Uni.join().all(inserts).andFailFast().replaceWithVoid();
                        })
                        .call(() -> transitions.isEmpty() ? Uni.createFrom().voidItem()
                                : apply(tx, transitions, outgoing, false, null, List.of()))
                        .call(() -> writes(tx, plan.records())))
                .map(v -> true)
                .invoke(() -> afterCommit(transitions, outgoing))
                .onFailure(StalePlan.class).recoverWithItem(false);
    }

    /** The guards, one after another (a lock first, then what it protects); a miss aborts the transaction. */
    private static Uni<Void> guards(SqlConnection tx, List<PlannedWrite> guards) {
        return Multi.createFrom().iterable(guards)
                .onItem().transformToUniAndConcatenate(g -> g.run(tx).invoke(found -> {
                    if (!found) {
                        throw new StalePlan();
                    }
                }))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> expectations(SqlConnection tx, List<RunStartPlan.ActiveRuns> expected) {
        return Multi.createFrom().iterable(expected)
                .onItem().transformToUniAndConcatenate(e -> runs.activeOn(tx, e.pipelineId(), e.assetIds()).invoke(now -> {
                    // a run started meanwhile changes an overlap decision; one that ended does not
                    if (!e.runIds().containsAll(now)) {
                        throw new StalePlan();
                    }
                }))
                .collect().last().replaceWithVoid();
    }

    private static Uni<Void> writes(SqlConnection tx, List<PlannedWrite> writes) {
        return writes.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(writes.stream().map(w -> w.run(tx)).toList()).andFailFast().replaceWithVoid();
    }

    // ------------------------------------------------------------------ deciding and writing

    /**
     * Decides on locked runs inside the caller's transaction and writes what changed, in at most
     * four round trips whatever the number of runs: free slots and find candidate workers
     * (pipelined), claim slots (one statement per chosen worker, pipelined), then every write at
     * once (pipelined). With {@code commit}, the caller began the transaction with a plain BEGIN
     * and COMMIT is sent right behind the writes; else the caller commits. With
     * {@code candidates} (read by the caller with its locking reads) the slots are freed and
     * claimed in one round trip.
     */
    private Uni<Void> apply(SqlConnection tx, List<Transition> transitions, List<OutboxMessage> outgoing,
            boolean commit, List<WorkerMatcher.Candidate> candidates, List<String> acknowledged) {
        Instant now = now();
        List<Transition> changed = new ArrayList<>();
        List<UUID> released = new ArrayList<>();
        List<String> unacknowledged = new ArrayList<>();
        List<CommandFactory.CommandRow> commandRows = new ArrayList<>();
        for (Transition t : transitions) {
            RunState run = t.loaded.state();
            boolean applied = false;
            for (int i = 0; i < t.rules.size(); i++) {
                Decision decision = t.rules.get(i).apply(run, now);
                t.decisions.add(decision);
                if (decision.ignored() != null) {
                    ignored(decision.ignored());
                    continue;
                }
                applied = true;
                unacknowledged.addAll(decision.unacknowledged);
                released.addAll(decision.releasedSteps);
                for (Decision.CancelOrder c : decision.cancels) {
                    commandRows.add(commands.cancel(run, run.step(c.stepKey()), c.commandId(), c.workerId(),
                            t.loaded.priority(), now));
                }
            }
            if (applied) {
                changed.add(t);
            }
        }
        if (changed.isEmpty()) {
            Uni<Void> unbench = slots.unbench(tx, acknowledged);
            return commit ? Uni.combine().all().unis(unbench, tx.query("COMMIT").execute()).discardItems() : unbench;
        }
        List<LoadedRun> loaded = changed.stream().map(t -> t.loaded).toList();
        List<RunState> states = loaded.stream().map(LoadedRun::state).toList();
        List<String> freedSlotsOf = changed.stream().flatMap(t -> t.decisions.stream())
                .filter(d -> d.ignored() == null).flatMap(d -> d.releasedWorkers.stream()).toList();
        Uni<List<CommandFactory.CommandRow>> dispatched = candidates != null
                // free, then claim, sent together: the claims see the slots just freed
                ? Uni.combine().all().unis(slots.release(tx, released),
                                Uni.createFrom().deferred(() -> assignment.assign(tx, loaded,
                                        notBenched(WorkerSlots.withFreed(candidates, freedSlotsOf), unacknowledged), now)))
                        .with((freed, scans) -> scans)
                : Uni.combine().all().unis(slots.release(tx, released),
                                slots.candidates(tx, WorkerAssignment.tenantsWaiting(states, now)))
                        .withUni((freed, found) -> assignment.assign(tx, loaded, notBenched(found, unacknowledged), now));
        return dispatched
                .chain(scans -> {
                    commandRows.addAll(scans);
                    Map<UUID, StepState> steps = new HashMap<>();
                    states.forEach(r -> r.steps().forEach(st -> steps.put(st.id, st)));
                    scans.forEach(c -> metrics.dispatched(steps.get(c.stepRunId()), now));
                    // steps still waiting for a worker are saved too, so their due time moves on
                    steps.values().stream().filter(st -> st.awaitingDispatch(now)).forEach(StepState::touch);
                    List<EventFactory.EventRow> eventRows = new ArrayList<>();
                    for (Transition t : changed) {
                        t.decisions.stream().filter(d -> d.ignored() == null)
                                .forEach(d -> eventRows.addAll(events.events(t.loaded, d, now)));
                    }
                    List<Uni<?>> writes = new ArrayList<>(List.of(runs.save(tx, states, s -> dueTimes.dueAt(s, now)),
                            commandOutbox.insert(tx, commandRows), eventOutbox.insert(tx, eventRows),
                            slots.bench(tx, unacknowledged, config.workers().benchAfterAckTimeout(),
                                    config.workers().maxBench()),
                            slots.unbench(tx, acknowledged)));
                    if (!unacknowledged.isEmpty()) {
                        registry.counter("scanflow.workers.benched").increment(unacknowledged.size());
                    }
                    if (commit) {
                        writes.add(tx.query("COMMIT").execute());
                    }
                    return Uni.combine().all().unis(writes).discardItems()
                            .invoke(() -> {
                                commandRows.forEach(c -> outgoing.add(new OutboxMessage(OutboxMessage.Kind.COMMAND,
                                        c.id(), c.subject(), c.payload())));
                                eventRows.forEach(e -> outgoing.add(new OutboxMessage(OutboxMessage.Kind.EVENT, e.id(),
                                        e.subject(), e.payload())));
                            });
                })
                .invoke(() -> changed.forEach(t -> t.decisions.stream().filter(d -> d.ignored() == null)
                        .forEach(d -> metrics.decided(t.loaded.state(), d, now))));
    }

    /** After commit: publish what was written, log the state changes, ask for a dispatch pass if slots were freed. */
    private void afterCommit(List<Transition> transitions, List<OutboxMessage> outgoing) {
        relay.publish(outgoing);
        boolean freed = false;
        for (Transition t : transitions) {
            for (Decision decision : t.decisions) {
                if (decision.ignored() != null) {
                    continue;
                }
                for (Decision.Event e : decision.events) {
                    EngineLog.event(t.loaded.state(), e);
                }
                freed |= !decision.releasedWorkers.isEmpty();
            }
        }
        if (freed && waiting.some()) {
            capacityFreed.fire(new CapacityFreed("slots freed"));
        }
    }

    /** Workers benched in this very transaction take none of its steps. */
    private static List<WorkerMatcher.Candidate> notBenched(List<WorkerMatcher.Candidate> candidates,
            List<String> benched) {
        return benched.isEmpty() ? candidates : candidates.stream().filter(c -> !benched.contains(c.id())).toList();
    }

    private void ignored(String reason) {
        registry.counter("scanflow.results.ignored", "reason", reason).increment();
        LOG.debugf("result ignored: %s", reason);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
