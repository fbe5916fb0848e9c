package dev.scanflow.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Which waiting steps take the free worker slots of one dispatch pass, and on which worker
 * (docs/adr/0012-fair-admission.md). Across tenants, each free slot goes to the tenant with the
 * fewest active steps for its weight (weighted fair share) among the tenants that have a step a
 * free worker can run now; a tenant none of whose steps can run holds back nobody. Within a
 * tenant, steps go by priority (raised one level per {@code aging} waited, so a low run waits a
 * bounded time), then by how long they waited. A step whose target's budget is used up, or that
 * no free worker can run, is passed over for the tenant's next one.
 */
public final class FairShare {

    /** Priorities, most urgent first. */
    public static final List<String> PRIORITIES = List.of("critical", "high", "normal", "low");

    private FairShare() {
    }

    /**
     * A run's priority when its trigger names none: its asset's criticality (critical, high,
     * medium, low) read as critical, high, normal, low.
     */
    public static String priorityOf(Object criticality) {
        String c = criticality == null ? "" : criticality.toString();
        return switch (c) {
            case "critical", "high", "low" -> c;
            default -> "normal";
        };
    }

    /**
     * A step waiting for a worker: its tenant, run priority, when it was queued, what it needs, and
     * the key of the target budget it counts against (null: none).
     */
    public record Waiting(UUID stepId, UUID runId, UUID tenantId, String priority, Instant since,
            List<String> capabilities, String tool, String previousWorkerId, String target) {
    }

    /** A step given a worker in this pass. */
    public record Pick(Waiting step, String workerId) {
    }

    /**
     * The priority rank a step competes with (0 is critical): its run's, raised one level per
     * {@code aging} it has waited, never above critical.
     */
    public static int rank(String priority, Instant since, Instant now, Duration aging) {
        int base = PRIORITIES.indexOf(priority);
        if (base < 0) {
            base = PRIORITIES.indexOf("normal");
        }
        if (since == null || aging.isZero() || aging.isNegative()) {
            return base;
        }
        long waited = Duration.between(since, now).toMillis();
        return (int) Math.max(0, base - Math.max(0, waited / aging.toMillis()));
    }

    /** Orders one tenant's waiting steps: rank, then age, then id. */
    public static Comparator<Waiting> order(Instant now, Duration aging) {
        return Comparator.<Waiting>comparingInt(w -> rank(w.priority(), w.since(), now, aging))
                .thenComparing(Waiting::since, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(Waiting::stepId);
    }

    /**
     * Plans one pass.
     *
     * @param waiting   the steps waiting, any order
     * @param workers   the workers that may take steps, with their load ({@link WorkerMatcher.Candidate#active})
     * @param active    active steps per tenant on shared and dedicated workers (slots held)
     * @param weights   tenant weights (absent: 1)
     * @param budgetFree free places per target key (absent: no budget, unlimited)
     */
    public static List<Pick> plan(Collection<Waiting> waiting, List<WorkerMatcher.Candidate> workers,
            Map<UUID, Integer> active, Map<UUID, Integer> weights, Map<String, Integer> budgetFree, Instant now,
            Duration aging) {
        Map<UUID, List<Waiting>> byTenant = new LinkedHashMap<>();
        waiting.stream().sorted(order(now, aging)).forEach(w -> byTenant.computeIfAbsent(w.tenantId(), k -> new ArrayList<>()).add(w));
        List<WorkerMatcher.Candidate> free = new ArrayList<>(workers);
        Map<UUID, Integer> load = new HashMap<>(active);
        Map<String, Integer> budgets = new HashMap<>(budgetFree);
        List<Pick> picks = new ArrayList<>();
        while (!byTenant.isEmpty()) {
            UUID best = null;
            double bestShare = Double.MAX_VALUE;
            Pick bestPick = null;
            List<UUID> stuck = new ArrayList<>();
            for (var e : byTenant.entrySet()) {
                double share = (load.getOrDefault(e.getKey(), 0) + 1.0) / Math.max(1, weights.getOrDefault(e.getKey(), 1));
                if (share >= bestShare) {
                    continue;
                }
                Optional<Pick> pick = firstRunnable(e.getValue(), free, budgets);
                if (pick.isEmpty()) {
                    stuck.add(e.getKey()); // free slots and budget places only shrink in a pass: it stays stuck
                    continue;
                }
                best = e.getKey();
                bestShare = share;
                bestPick = pick.get();
            }
            stuck.forEach(byTenant::remove);
            if (best == null) {
                break; // no tenant has a step any free worker can run
            }
            picks.add(bestPick);
            Waiting w = bestPick.step();
            byTenant.get(best).remove(w);
            if (byTenant.get(best).isEmpty()) {
                byTenant.remove(best);
            }
            load.merge(best, 1, Integer::sum);
            if (w.target() != null && budgets.containsKey(w.target())) {
                budgets.merge(w.target(), -1, Integer::sum);
            }
            String id = bestPick.workerId();
            free.replaceAll(c -> c.id().equals(id) ? new WorkerMatcher.Candidate(c.id(), c.tenantId(), c.capabilities(),
                    c.tools(), c.maxConcurrency(), c.active() + 1, c.online(), c.draining()) : c);
        }
        return picks;
    }

    /** The tenant's first step (in its order) that a free worker can run within its target's budget. */
    private static Optional<Pick> firstRunnable(List<Waiting> steps, List<WorkerMatcher.Candidate> free,
            Map<String, Integer> budgets) {
        for (Waiting w : steps) {
            if (w.target() != null && budgets.getOrDefault(w.target(), Integer.MAX_VALUE) <= 0) {
                continue;
            }
            Set<String> avoid = w.previousWorkerId() == null ? Set.of() : Set.of(w.previousWorkerId());
            var choice = WorkerMatcher.choose(free, new WorkerMatcher.Need(w.tenantId(), w.capabilities(), w.tool()),
                    List.of(), avoid);
            if (choice.isPresent()) {
                return Optional.of(new Pick(w, choice.get().id()));
            }
        }
        return Optional.empty();
    }
}
