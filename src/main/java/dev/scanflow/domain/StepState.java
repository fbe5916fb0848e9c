package dev.scanflow.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A step run as the decider sees it: what the template says of the step (pinned when the run
 * was created) and where it stands. Mutable, but only {@link RunDecider} changes it, and every
 * status change goes through {@link #moveTo}.
 */
public final class StepState {

    // --- from the template version the run pinned
    public final UUID id;
    public final String key;
    public final String name;
    public final int order;
    public final int index;
    public final String tool;
    public final List<String> capabilities;
    public final Map<String, Object> config;
    public final int timeoutSeconds;
    public final List<String> dependsOn;
    /** CEL text; null when the step has no condition. */
    public final String conditionCel;
    /**
     * The condition as skip reasons show it: the CEL text, so a shorthand condition shows as the
     * expression it was translated to ({@code asset.type in ['repository']}); kept apart from
     * {@code conditionCel} so that a friendlier text can be stored without touching evaluation.
     */
    public final String conditionText;
    public final int retryDelaySeconds;

    // --- progress
    public StepStatus status;
    public int attempt;
    public int maxAttempts;
    public String workerId;
    public UUID commandId;
    public Boolean conditionEvaluated;
    public Boolean conditionResult;
    public String skipReason;
    /** Why it was skipped: "condition", "dependency" or "scope" (condition skips are not retried by hand). */
    public String skipKind;
    public Integer findingsCount;
    public Map<String, Object> findingsBySeverity;
    /** Of a completed step's findings, those its asset had not (or no longer) had; null when the worker sent counts only. */
    public Integer newFindingsCount;
    public Map<String, Object> newFindingsBySeverity;
    /** The asset's findings a completed step no longer reported (null when the worker sent counts only). */
    public Integer fixedFindingsCount;
    public Map<String, Object> fixedFindingsBySeverity;
    public Map<String, Object> output;
    /** The worker's own id for the scan, from its result. */
    public String scanId;
    public String errorCode;
    public String errorMessage;
    public Instant queuedAt;
    public Instant startedAt;
    public Instant completedAt;
    /** A queued step waits for this time before it is dispatched (retry back-off, a scope wait). */
    public Instant nextAttemptAt;
    /** Why a queued step waits before it may go to a worker (the scope check's reason); null otherwise. */
    public String waitReason;
    /** When the current command was sent to a worker (null while no worker holds it). */
    public Instant dispatchedAt;
    public int workerLosses;
    /** The worker the step was last taken from (lost, silent): a re-dispatch prefers another. */
    public String previousWorkerId;

    /** Set by the decider when anything about this step changed. */
    boolean dirty;

    public StepState(UUID id, String key, String name, int order, int index, String tool, List<String> capabilities,
            Map<String, Object> config, int timeoutSeconds, List<String> dependsOn, String conditionCel,
            String conditionText, int retryDelaySeconds, StepStatus status, int attempt, int maxAttempts) {
        this.id = id;
        this.key = key;
        this.name = name;
        this.order = order;
        this.index = index;
        this.tool = tool;
        this.capabilities = List.copyOf(capabilities);
        this.config = config == null ? Map.of() : config;
        this.timeoutSeconds = timeoutSeconds;
        this.dependsOn = List.copyOf(dependsOn);
        this.conditionCel = conditionCel;
        this.conditionText = conditionText;
        this.retryDelaySeconds = retryDelaySeconds;
        this.status = status;
        this.attempt = attempt;
        this.maxAttempts = maxAttempts;
    }

    /** The one place where a step's status changes; illegal transitions throw. */
    public void moveTo(StepStatus next) {
        status.checkTransition(next);
        status = next;
        if (next != StepStatus.QUEUED) {
            waitReason = null; // only a queued step waits
        }
        dirty = true;
    }

    public boolean dirty() {
        return dirty;
    }

    /** Records that fields changed outside a status change (e.g. a worker was assigned), so the step is saved. */
    public void touch() {
        dirty = true;
    }

    /** Holds a worker slot: queued with a command sent, or running. */
    public boolean holdsWorker() {
        return workerId != null && status.active();
    }

    /** Queued and ready to be given to a worker now. */
    public boolean awaitingDispatch(Instant now) {
        return status == StepStatus.QUEUED && commandId == null && (nextAttemptAt == null || !nextAttemptAt.isAfter(now));
    }
}
