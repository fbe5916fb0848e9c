package dev.scanflow.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** A run and its steps, loaded under the run's lock, for one decision. */
public final class RunState {

    public final UUID id;
    public final UUID tenantId;
    public RunStatus status;
    public final int maxParallelSteps;
    public final boolean failFast;
    public final Instant deadlineAt;
    public Instant startedAt;
    public Instant completedAt;
    public String errorMessage;
    /** Why a pending run has not started (a run limit), or null. */
    public String waitReason;
    public final Map<String, Object> asset;
    public final Map<String, Object> context;
    public final Map<String, Object> run;
    private final Map<String, StepState> steps = new LinkedHashMap<>();
    boolean dirty;

    public RunState(UUID id, UUID tenantId, RunStatus status, int maxParallelSteps, boolean failFast,
            Instant deadlineAt, Instant startedAt, Map<String, Object> asset, Map<String, Object> context,
            Map<String, Object> run, List<StepState> steps) {
        this.id = id;
        this.tenantId = tenantId;
        this.status = status;
        this.maxParallelSteps = maxParallelSteps;
        this.failFast = failFast;
        this.deadlineAt = deadlineAt;
        this.startedAt = startedAt;
        this.asset = asset;
        this.context = context;
        this.run = run;
        steps.stream().sorted(Comparator.comparingInt((StepState s) -> s.order).thenComparingInt(s -> s.index))
                .forEach(s -> this.steps.put(s.key, s));
    }

    public void moveTo(RunStatus next) {
        status.checkTransition(next);
        status = next;
        if (next != RunStatus.PENDING) {
            waitReason = null; // only a pending run waits
        }
        dirty = true;
    }

    /** A pending run a limit holds: says why (saved when the reason changed). */
    public void hold(String reason) {
        if (!reason.equals(waitReason)) {
            waitReason = reason;
            dirty = true;
        }
    }

    public boolean dirty() {
        return dirty;
    }

    /** Steps in admission order: template order, then position. */
    public List<StepState> steps() {
        return new ArrayList<>(steps.values());
    }

    public StepState step(String key) {
        return steps.get(key);
    }

    public Optional<StepState> stepByCommand(UUID commandId) {
        return steps.values().stream().filter(s -> commandId.equals(s.commandId)).findFirst();
    }

    public List<StepState> changedSteps() {
        return steps.values().stream().filter(StepState::dirty).toList();
    }

    public long activeCount() {
        return steps.values().stream().filter(s -> s.status.active()).count();
    }

    public int count(StepStatus status) {
        return (int) steps.values().stream().filter(s -> s.status == status).count();
    }

    public int totalFindings() {
        return steps.values().stream().mapToInt(s -> s.findingsCount == null ? 0 : s.findingsCount).sum();
    }

    /**
     * What the run's completed steps changed in the asset's findings, as counted when each
     * completed: {@code new_findings_count}, {@code fixed_findings_count} and both by severity;
     * empty when no step's worker sent findings records.
     */
    public Map<String, Object> findingChanges() {
        Map<String, Object> out = new LinkedHashMap<>();
        int fresh = 0;
        int fixed = 0;
        Map<String, Integer> freshBy = new LinkedHashMap<>();
        Map<String, Integer> fixedBy = new LinkedHashMap<>();
        boolean any = false;
        for (StepState s : steps.values()) {
            if (s.newFindingsCount == null) {
                continue;
            }
            any = true;
            fresh += s.newFindingsCount;
            fixed += s.fixedFindingsCount == null ? 0 : s.fixedFindingsCount;
            add(freshBy, s.newFindingsBySeverity);
            add(fixedBy, s.fixedFindingsBySeverity);
        }
        if (any) {
            out.put("new_findings_count", fresh);
            out.put("new_findings_by_severity", freshBy);
            out.put("fixed_findings_count", fixed);
            out.put("fixed_findings_by_severity", fixedBy);
        }
        return out;
    }

    private static void add(Map<String, Integer> into, Map<String, Object> counts) {
        if (counts != null) {
            counts.forEach((k, v) -> into.merge(k, v instanceof Number n ? n.intValue() : 0, Integer::sum));
        }
    }
}
