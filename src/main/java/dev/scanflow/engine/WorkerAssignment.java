package dev.scanflow.engine;

import dev.scanflow.domain.RunDecider;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
import dev.scanflow.domain.TargetBudget;
import dev.scanflow.domain.TargetBudgets;
import dev.scanflow.domain.WorkerMatcher;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Gives a decision's queued steps to workers inside its transaction: the steps whose target has a
 * budget first take a place of it ({@link TargetHolds}); each step's worker is then chosen in
 * memory with {@link WorkerMatcher} (loads counted as they are taken), then one slot claim per
 * chosen worker, all sent at once. Steps whose worker turned out full are matched again among
 * the others, until every step has a worker or none is left; places of steps left without one
 * are given back. A step that waits says why ({@link WaitReasons}).
 */
@ApplicationScoped
public class WorkerAssignment {

    private final WorkerSlots slots;
    private final TargetHolds holds;
    private final TargetBudgets budgets;
    private final FleetSightings sightings;
    private final CommandFactory commands;
    private final RunDecider decider;
    private final WaitingSteps waiting;

    public WorkerAssignment(WorkerSlots slots, TargetHolds holds, TargetBudgets budgets, FleetSightings sightings,
            CommandFactory commands, RunDecider decider, WaitingSteps waiting) {
        this.slots = slots;
        this.holds = holds;
        this.budgets = budgets;
        this.sightings = sightings;
        this.commands = commands;
        this.decider = decider;
        this.waiting = waiting;
    }

    /** The tenants of the runs that have a step waiting for a worker. */
    static UUID[] tenantsWaiting(List<RunState> runs, Instant now) {
        return runs.stream().filter(r -> r.steps().stream().anyMatch(s -> s.awaitingDispatch(now)))
                .map(r -> r.tenantId).distinct().toArray(UUID[]::new);
    }

    /**
     * The scan commands for the steps that got a worker; only steps {@code may} lets go try (the
     * others wait in line for a dispatch pass).
     */
    Uni<List<CommandFactory.CommandRow>> assign(SqlClient tx, List<LoadedRun> runs, List<WorkerMatcher.Candidate> found,
            Predicate<StepState> may, Instant now) {
        List<Waiting> waiting = new ArrayList<>();
        for (LoadedRun loaded : runs) {
            for (StepState s : loaded.state().steps()) {
                if (!s.awaitingDispatch(now)) {
                    continue;
                }
                if (may.test(s)) {
                    waiting.add(new Waiting(loaded, s, budgets.of(loaded.state(), s)));
                } else if (s.waitReason == null) {
                    // a reason a pass wrote (budget, no worker) stays until a pass sees otherwise
                    WaitReasons.set(s, WaitReasons.IN_LINE);
                }
            }
        }
        if (waiting.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<TargetHolds.Ask> asks = waiting.stream().filter(w -> w.budget() != null)
                .map(w -> new TargetHolds.Ask(w.step().id, w.budget().target(), w.loaded().state().tenantId,
                        w.budget().maxActiveSteps()))
                .toList();
        List<CommandFactory.CommandRow> out = new ArrayList<>();
        return holds.hold(tx, asks).chain(held -> {
            List<Waiting> ready = new ArrayList<>();
            for (Waiting w : waiting) {
                if (w.budget() == null || held.contains(w.step().id)) {
                    ready.add(w);
                } else {
                    WaitReasons.set(w.step(), WaitReasons.budget(w.budget().target(), w.budget().maxActiveSteps()));
                }
            }
            if (ready.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            return round(tx, ready, new ArrayList<>(found), new HashSet<>(), now, out)
                    .chain(() -> holds.release(tx, ready.stream()
                            .filter(w -> w.budget() != null && w.step().commandId == null)
                            .map(w -> w.step().id).toList()));
        }).replaceWith(out);
    }

    private record Waiting(LoadedRun loaded, StepState step, TargetBudget budget) {
    }

    private void noWorker(Waiting w) {
        var known = sightings.last();
        boolean could = known == null || FleetSightings.anyOnlineCould(known, w.loaded().state().tenantId, w.step());
        if (could) {
            this.waiting.found(); // it waits for a busy worker: slots go by the plan until a pass sees none wait
        }
        WaitReasons.set(w.step(), could ? WaitReasons.IN_LINE : WaitReasons.noWorker(w.step()));
    }
    private Uni<Void> round(SqlClient tx, List<Waiting> waiting, List<WorkerMatcher.Candidate> candidates,
            Set<String> full, Instant now, List<CommandFactory.CommandRow> out) {
        Map<String, List<Waiting>> byWorker = new LinkedHashMap<>();
        for (Waiting w : waiting) {
            RunState run = w.loaded().state();
            List<Collection<String>> otherPending = run.steps().stream()
                    .filter(s -> s != w.step() && (s.status == StepStatus.PENDING || s.awaitingDispatch(now)))
                    .map(s -> (Collection<String>) s.capabilities).toList();
            var need = new WorkerMatcher.Need(run.tenantId, w.step().capabilities, w.step().tool);
            var available = candidates.stream().filter(c -> !full.contains(c.id())).toList();
            Set<String> avoid = w.step().previousWorkerId == null ? Set.of() : Set.of(w.step().previousWorkerId);
            var choice = WorkerMatcher.choose(available, need, otherPending, avoid);
            if (choice.isEmpty()) {
                noWorker(w);
                continue;
            }
            String id = choice.get().id();
            byWorker.computeIfAbsent(id, k -> new ArrayList<>()).add(w);
            candidates.replaceAll(c -> c.id().equals(id)
                    ? new WorkerMatcher.Candidate(c.id(), c.tenantId(), c.capabilities(), c.tools(),
                            c.maxConcurrency(), c.active() + 1, c.online(), c.draining())
                    : c);
        }
        if (byWorker.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Set<UUID>>> claims = new ArrayList<>();
        for (var e : byWorker.entrySet()) {
            claims.add(slots.claim(tx, e.getKey(), e.getValue().stream().map(w -> w.step().id).toArray(UUID[]::new)));
        }
        return Uni.combine().all().unis(claims).with(results -> {
            List<Waiting> again = new ArrayList<>();
            int i = 0;
            for (var e : byWorker.entrySet()) {
                @SuppressWarnings("unchecked")
                Set<UUID> got = (Set<UUID>) results.get(i++);
                for (Waiting w : e.getValue()) {
                    if (got.contains(w.step().id)) {
                        decider.assigned(w.step(), e.getKey(), UUID.randomUUID(), now);
                        out.add(commands.scan(w.loaded(), w.step(), w.budget(), now));
                    } else {
                        full.add(e.getKey());
                        again.add(w);
                    }
                }
            }
            return again;
        }).chain(again -> again.isEmpty() ? Uni.createFrom().voidItem()
                : round(tx, again, candidates, full, now, out));
    }
}
