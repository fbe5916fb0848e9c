package dev.scanflow.run;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What the runs API returns. */
public final class RunViews {

    private RunViews() {
    }

    /**
     * A step run: the design document's fields (step_id, status, started_at, completed_at,
     * worker_id, command_id, findings_count, condition_result, skip_reason) and Scanflow's
     * ({@code wait_reason}: why a queued step is held back before a worker may take it, such as
     * a blackout window, until {@code next_attempt_at}; the {@code new_findings_*} and
     * {@code fixed_findings_*} of a step whose worker sent findings records, null for one that
     * sent counts only; {@code queue_position}: for a step waiting for a worker, its place in its
     * tenant's line, 1 being next); every field is always present (null when unknown).
     */
    @RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
    public record StepRunView(String stepId, String name, int order, String status, int attempt, int maxAttempts,
            String workerId, UUID commandId, boolean conditionEvaluated, Boolean conditionResult, String skipReason,
            Integer findingsCount, Map<String, Object> findingsBySeverity, Integer newFindingsCount,
            Map<String, Object> newFindingsBySeverity, Integer fixedFindingsCount,
            Map<String, Object> fixedFindingsBySeverity, Map<String, Object> output,
            String scanId, String errorCode, String errorMessage, Instant queuedAt, Instant startedAt,
            Instant completedAt, Long durationSeconds, Instant nextAttemptAt, String waitReason,
            Integer queuePosition) {
    }

    /**
     * A run with its step runs: the design document's "Pipeline Run" and the pipeline_runs
     * counters, and what the run changed in its asset's findings (null when no step sent
     * findings records); a pending run a limit holds says why ({@code wait_reason}) and where it
     * stands among its tenant's held runs ({@code queue_position}, 1 being next).
     */
    @RegisterForReflection
    public record RunView(UUID id, UUID pipelineId, UUID tenantId, String pipelineName, int pipelineVersion, UUID assetId,
            String status, String triggerType, String triggeredBy, String priority, Map<String, Object> context,
            int totalSteps, int completedSteps, int failedSteps, int skippedSteps, int totalFindings,
            Integer newFindingsCount, Integer fixedFindingsCount, Integer unchangedFindingsCount,
            Integer suppressedFindingsCount, Map<String, Integer> newFindingsBySeverity,
            Map<String, Integer> fixedFindingsBySeverity, String errorMessage, Instant createdAt, Instant startedAt, Instant completedAt, Long durationMs,
            String waitReason, Integer queuePosition, List<StepRunView> stepRuns) {
    }

    /** A run in a list, without its steps. */
    @RegisterForReflection
    public record RunSummary(UUID id, UUID pipelineId, UUID tenantId, String pipelineName, int pipelineVersion, UUID assetId,
            String status, String triggerType, String triggeredBy, String priority, int totalSteps,
            int completedSteps, int failedSteps, int skippedSteps, int totalFindings, Integer newFindingsCount,
            Integer fixedFindingsCount, Instant createdAt,
            Instant startedAt, Instant completedAt, String waitReason) {
    }

    /** A line a worker sent for a step. */
    @RegisterForReflection
    public record LogLine(long seq, String line, UUID commandId, Instant createdAt) {
    }

    /** An event of a run, as published on NATS. */
    @RegisterForReflection
    public record RunEvent(long seq, String type, String stepId, Map<String, Object> payload, Instant createdAt) {
    }
}
