package dev.scanflow.engine;

import dev.scanflow.domain.RunDecider;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
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

/**
 * Gives a decision's queued steps to workers inside its transaction: each step's worker is
 * chosen in memory with {@link WorkerMatcher} (loads counted as they are taken), then one slot
 * claim per chosen worker, all sent at once. Steps whose worker turned out full are matched
 * again among the others, until every step has a worker or none is left.
 */
@ApplicationScoped
public class WorkerAssignment {

    private final WorkerSlots slots;
    private final CommandFactory commands;
    private final RunDecider decider;
    private final WaitingSteps waiting;

    public WorkerAssignment(WorkerSlots slots, CommandFactory commands, RunDecider decider, WaitingSteps waiting) {
        this.slots = slots;
        this.commands = commands;
        this.decider = decider;
        this.waiting = waiting;
    }

    /** The tenants of the runs that have a step waiting for a worker. */
    static UUID[] tenantsWaiting(List<RunState> runs, Instant now) {
        return runs.stream().filter(r -> r.steps().stream().anyMatch(s -> s.awaitingDispatch(now)))
                .map(r -> r.tenantId).distinct().toArray(UUID[]::new);
    }

    /** The scan commands for the steps that got a worker. */
    Uni<List<CommandFactory.CommandRow>> assign(SqlClient tx, List<LoadedRun> runs, List<WorkerMatcher.Candidate> found,
            Instant now) {
        List<Waiting> waiting = new ArrayList<>();
        for (LoadedRun loaded : runs) {
            loaded.state().steps().stream().filter(s -> s.awaitingDispatch(now))
                    .forEach(s -> waiting.add(new Waiting(loaded, s)));
        }
        if (waiting.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<CommandFactory.CommandRow> out = new ArrayList<>();
        return round(tx, waiting, new ArrayList<>(found), new HashSet<>(), now, out).replaceWith(out);
    }

    private record Waiting(LoadedRun loaded, StepState step) {
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
                this.waiting.found();
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
                        out.add(commands.scan(w.loaded(), w.step(), now));
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
