package dev.scanflow.domain;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Picks the worker for a step. Candidates are online, not draining, below their
 * max_concurrency, allowed for the run's tenant (shared, or dedicated to that tenant; another
 * tenant's dedicated worker never) and have every capability the step needs. Among them, in
 * order: the step's tool (preferred, not required), a worker dedicated to the tenant over a
 * shared one, a worker that covers more of the run's other pending steps, the least loaded
 * (active / max_concurrency), then the worker id for a stable tie-break.
 */
public final class WorkerMatcher {

    /** A worker as matching sees it. {@code tenantId} null means shared by every tenant. */
    public record Candidate(String id, UUID tenantId, Set<String> capabilities, Set<String> tools,
            int maxConcurrency, int active, boolean online, boolean draining) {

        double load() {
            return maxConcurrency <= 0 ? 1.0 : (double) active / maxConcurrency;
        }
    }

    /** What a step needs. */
    public record Need(UUID tenantId, Collection<String> capabilities, String tool) {
    }

    private WorkerMatcher() {
    }

    public static boolean eligible(Candidate w, Need need) {
        return w.online() && !w.draining() && w.active() < w.maxConcurrency()
                && (w.tenantId() == null || w.tenantId().equals(need.tenantId()))
                && w.capabilities().containsAll(need.capabilities());
    }

    /**
     * @param otherPending capability sets of the run's other steps still waiting, for the
     *                     "covers several pending steps" preference
     * @param avoid        worker ids to use only if nothing else fits (e.g. the one that just lost the step)
     */
    public static Optional<Candidate> choose(List<Candidate> workers, Need need, List<Collection<String>> otherPending,
            Set<String> avoid) {
        Comparator<Candidate> order = Comparator
                .comparing((Candidate w) -> avoid.contains(w.id()))
                .thenComparing(w -> !(need.tool() != null && w.tools().contains(need.tool())))
                .thenComparing(w -> w.tenantId() == null)
                .thenComparing(w -> -otherPending.stream().filter(caps -> w.capabilities().containsAll(caps)).count())
                .thenComparingDouble(Candidate::load)
                .thenComparing(Candidate::id);
        return workers.stream().filter(w -> eligible(w, need)).min(order);
    }
}
