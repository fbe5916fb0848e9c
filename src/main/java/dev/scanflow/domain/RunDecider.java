package dev.scanflow.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.UUID;

/**
 * The orchestration rules, as a pure function of a run's state: given a run loaded under its
 * lock and an input (start, a worker's result, the clock, a cancel, a retry, a lost worker),
 * it changes the states through the state machine and returns what else must happen. It does
 * no I/O; the caller persists the changed steps and the run, and sends what the
 * {@link Decision} lists.
 *
 * <p>Rules: a step is ready when every dependency is terminal; completed or skipped
 * dependencies satisfy it, a failed, timed-out or cancelled one skips it. Its condition is
 * evaluated when it is ready. At most {@code max_parallel_steps} steps are queued or running.
 * A failed or timed-out attempt is retried while attempts remain, after a back-off that doubles
 * each time (capped). With fail_fast the first final failure cancels everything still open.
 *
 * <p>Longer than the project's other classes on purpose: these are the whole state machine's
 * rules, and they call each other (a result advances the run, a failure may retry or fail fast,
 * every path ends in finishing the run); split, a reader would chase one rule through several
 * files. The legal status changes themselves are in {@link StepStatus} and {@link RunStatus}.
 */
public final class RunDecider {

    /** Engine-wide knobs. */
    public record Settings(Duration queueTimeout, Duration ackTimeout, Duration maxRetryDelay, int maxWorkerLosses) {
    }

    /** The skip reason of a step the scope check refused starts with this. */
    public static final String OUT_OF_SCOPE = "OUT_OF_SCOPE: ";
    /** The skip kind of such a step. */
    public static final String SCOPE = "scope";

    private final Settings settings;
    private final ConditionCheck conditions;
    private final ScopeCheck scope;
    private final WorkerSightings sightings;

    public RunDecider(Settings settings, ConditionCheck conditions, ScopeCheck scope) {
        this(settings, conditions, scope, WorkerSightings.NONE);
    }

    public RunDecider(Settings settings, ConditionCheck conditions, ScopeCheck scope, WorkerSightings sightings) {
        this.settings = settings;
        this.conditions = conditions;
        this.scope = scope;
        this.sightings = sightings;
    }

    // ------------------------------------------------------------------ inputs

    /** A new run: pending -> running, then admit what is ready. */
    public Decision start(RunState run, Instant now) {
        Decision d = new Decision();
        run.moveTo(RunStatus.RUNNING);
        run.startedAt = now;
        d.events.add(new Decision.Event("pipeline.run.started", null, Map.of()));
        advance(run, now, d);
        return d;
    }

    /** A worker's report about a command. Anything that does not match exactly is ignored. */
    public Decision onResult(RunState run, WorkerResult result, Instant now) {
        var found = run.stepByCommand(result.commandId());
        if (found.isEmpty()) {
            return Decision.ignored("stale");
        }
        StepState step = found.get();
        // the subject names the worker; a body that names one must name the same
        if (result.subjectWorkerId() == null || !result.subjectWorkerId().equals(step.workerId)
                || (result.bodyWorkerId() != null && !result.subjectWorkerId().equals(result.bodyWorkerId()))) {
            return Decision.ignored("spoofed");
        }
        if (step.status.terminal() || run.status.terminal()) {
            return Decision.ignored("duplicate");
        }
        Decision d = new Decision();
        switch (result.status()) {
            case "running" -> {
                if (step.status != StepStatus.QUEUED) {
                    return Decision.ignored("duplicate");
                }
                markRunning(step, now, d);
            }
            case "completed" -> {
                if (step.status == StepStatus.QUEUED) {
                    markRunning(step, now, d);
                }
                release(step, d);
                step.moveTo(StepStatus.COMPLETED);
                step.findingsCount = result.findingsCount() == null ? 0 : Math.max(0, result.findingsCount());
                step.findingsBySeverity = result.findingsBySeverity();
                WorkerResult.FindingChanges changes = result.findingChanges();
                step.newFindingsCount = changes == null ? null : changes.newCount();
                step.newFindingsBySeverity = changes == null ? null : changes.newBySeverity();
                step.fixedFindingsCount = changes == null ? null : changes.fixedCount();
                step.fixedFindingsBySeverity = changes == null ? null : changes.fixedBySeverity();
                step.output = result.output() == null ? Map.of() : result.output();
                step.scanId = result.scanId();
                step.completedAt = now;
                d.events.add(stepEvent("pipeline.step.completed", step));
            }
            case "failed" -> {
                if (step.status == StepStatus.QUEUED) {
                    markRunning(step, now, d);
                }
                String code = result.errorCode() == null || result.errorCode().isBlank() ? "TOOL_FAILED" : result.errorCode();
                String message = result.errorMessage() == null ? "the worker reported a failure" : result.errorMessage();
                fail(run, step, StepStatus.FAILED, code, message, true, now, d);
            }
            case "cancelled" -> {
                if (step.status == StepStatus.QUEUED) {
                    markRunning(step, now, d);
                }
                release(step, d);
                step.moveTo(StepStatus.CANCELLED);
                step.completedAt = now;
                step.errorCode = "CANCELLED_BY_WORKER";
                step.errorMessage = "the worker cancelled the command";
                d.events.add(stepEvent("pipeline.step.cancelled", step));
                finalFailure(run, step, now, d);
            }
            default -> {
                return Decision.ignored("invalid");
            }
        }
        advance(run, now, d);
        return d;
    }

    /** The clock: step and run timeouts, commands never acknowledged, due retries, ready steps. */
    public Decision tick(RunState run, Instant now) {
        Decision d = new Decision();
        if (run.status.terminal()) {
            return d;
        }
        if (run.status == RunStatus.PENDING) {
            // a run a limit holds starts when the limit lets it (the engine's admission), not on a tick
            return run.waitReason != null ? d : start(run, now);
        }
        if (run.deadlineAt != null && !now.isBefore(run.deadlineAt)) {
            closeOpenSteps(run, now, d, "the run timed out");
            run.moveTo(RunStatus.TIMEOUT);
            run.completedAt = now;
            run.errorMessage = "the run did not finish within its timeout";
            d.events.add(new Decision.Event("pipeline.run.timeout", null, runSummary(run)));
            return d;
        }
        for (StepState step : run.steps()) {
            if (step.status == StepStatus.RUNNING && step.startedAt != null
                    && !now.isBefore(step.startedAt.plusSeconds(step.timeoutSeconds))) {
                if (step.commandId != null) {
                    d.cancels.add(new Decision.CancelOrder(step.key, step.commandId, step.workerId));
                }
                fail(run, step, StepStatus.TIMEOUT, "TIMEOUT",
                        "no result within " + DurationText.format(step.timeoutSeconds), true, now, d);
            } else if (step.status == StepStatus.QUEUED && step.commandId != null && step.dispatchedAt != null
                    && !now.isBefore(step.dispatchedAt.plus(settings.ackTimeout()))) {
                // the worker never said it started: give the step to a worker again, same attempt
                d.cancels.add(new Decision.CancelOrder(step.key, step.commandId, step.workerId));
                d.unacknowledged.add(step.workerId);
                redispatch(step, now, d);
            } else if (step.status == StepStatus.QUEUED && step.commandId == null) {
                Instant waitingSince = step.nextAttemptAt != null && step.nextAttemptAt.isAfter(step.queuedAt)
                        ? step.nextAttemptAt : step.queuedAt;
                if (waitingSince != null && !now.isBefore(waitingSince.plus(settings.queueTimeout()))) {
                    Instant seen = sightings.lastSeen(run.tenantId, step);
                    if (seen != null && seen.isAfter(waitingSince)) {
                        waitingSince = seen; // a worker that could run it was seen since: it waits its turn
                        step.touch(); // saved, so its due time moves on (DueTimes)
                    }
                }
                if (waitingSince != null && !now.isBefore(waitingSince.plus(settings.queueTimeout()))) {
                    fail(run, step, StepStatus.TIMEOUT, "NO_WORKER", "no capable worker was available within "
                            + DurationText.format(settings.queueTimeout().toSeconds()), false, now, d);
                }
            }
        }
        advance(run, now, d);
        return d;
    }

    /** A worker stopped heartbeating: its steps go to another worker, or fail after too many losses. */
    public Decision workerLost(RunState run, String workerId, Instant now) {
        Decision d = new Decision();
        if (run.status.terminal()) {
            return d;
        }
        for (StepState step : run.steps()) {
            if (!step.holdsWorker() || !workerId.equals(step.workerId)) {
                continue;
            }
            step.workerLosses++;
            step.touch();
            if (step.workerLosses > settings.maxWorkerLosses()) {
                fail(run, step, StepStatus.FAILED, "WORKER_LOST", "worker " + workerId
                        + " was lost (" + step.workerLosses + " workers lost for this step)", true, now, d);
            } else {
                redispatch(step, now, d);
            }
        }
        advance(run, now, d);
        return d;
    }

    /** Cancel: every open step is cancelled (workers told), the run ends cancelled. */
    public Decision cancel(RunState run, Instant now) {
        Decision d = new Decision();
        if (run.status.terminal()) {
            return d;
        }
        closeOpenSteps(run, now, d, "the run was cancelled");
        run.moveTo(RunStatus.CANCELLED);
        run.completedAt = now;
        d.events.add(new Decision.Event("pipeline.run.cancelled", null, runSummary(run)));
        return d;
    }

    /**
     * Retry a finished run: failed, timed-out and cancelled steps, and the steps they caused to
     * be skipped, start again from pending with fresh attempts.
     */
    public Decision retry(RunState run, Instant now) {
        run.status.checkTransition(RunStatus.RUNNING); // refuse before touching any step
        Decision d = new Decision();
        for (StepState step : run.steps()) {
            // a scope refusal is checked again against the policy as it is now
            boolean again = step.status.unsuccessful()
                    || (step.status == StepStatus.SKIPPED && ("dependency".equals(step.skipKind) || SCOPE.equals(step.skipKind)));
            if (!again) {
                continue;
            }
            step.moveTo(StepStatus.PENDING);
            step.attempt = 0;
            step.workerId = null;
            step.commandId = null;
            step.conditionEvaluated = false;
            step.conditionResult = null;
            step.skipReason = null;
            step.skipKind = null;
            step.findingsCount = null;
            step.findingsBySeverity = null;
            step.newFindingsCount = null;
            step.newFindingsBySeverity = null;
            step.fixedFindingsCount = null;
            step.fixedFindingsBySeverity = null;
            step.output = null;
            step.scanId = null;
            step.errorCode = null;
            step.errorMessage = null;
            step.queuedAt = null;
            step.startedAt = null;
            step.completedAt = null;
            step.nextAttemptAt = null;
            step.dispatchedAt = null;
            step.workerLosses = 0;
        }
        run.moveTo(RunStatus.RUNNING);
        run.completedAt = null;
        run.errorMessage = null;
        d.events.add(new Decision.Event("pipeline.run.started", null, Map.of("retry", true)));
        advance(run, now, d);
        return d;
    }

    /**
     * A worker took a queued step (the shell claimed one of its slots): the command with this id
     * is on its way, and the ack timeout counts from now.
     */
    public void assigned(StepState step, String workerId, UUID commandId, Instant now) {
        step.commandId = commandId;
        step.workerId = workerId;
        step.dispatchedAt = now;
        step.errorCode = null;
        step.errorMessage = null;
        step.nextAttemptAt = null;
        step.waitReason = null;
        step.touch();
    }

    // ------------------------------------------------------------------ rules

    /**
     * Admit ready steps until nothing changes, then finish the run if every step is terminal. A
     * step is queued only as the scope check allows, and a queued step about to be given to a
     * worker is checked again (the policy may have changed while it waited); each step is
     * checked once per decision.
     */
    private void advance(RunState run, Instant now, Decision d) {
        if (run.status != RunStatus.RUNNING) {
            finishIfDone(run, now, d);
            return;
        }
        Set<String> checked = new HashSet<>();
        boolean changed = true;
        while (changed && run.status == RunStatus.RUNNING) {
            changed = false;
            for (StepState step : run.steps()) {
                if (run.status != RunStatus.RUNNING) {
                    continue;
                }
                if (step.awaitingDispatch(now) && checked.add(step.key)) {
                    changed |= recheck(run, step, now, d);
                    continue;
                }
                if (step.status != StepStatus.PENDING) {
                    continue;
                }
                List<StepState> deps = step.dependsOn.stream().map(run::step).toList();
                if (deps.stream().anyMatch(dep -> !dep.status.terminal())) {
                    continue;
                }
                var blocker = deps.stream().filter(dep -> dep.status.unsuccessful()).findFirst();
                if (blocker.isPresent()) {
                    skip(step, "Dependency '" + blocker.get().key + "' " + blocker.get().status.wire(), "dependency", now, d);
                    changed = true;
                    continue;
                }
                if (step.conditionCel != null) {
                    boolean holds;
                    try {
                        holds = conditions.test(step.conditionCel, variables(run));
                    } catch (Exception e) {
                        step.conditionEvaluated = true;
                        step.conditionResult = null;
                        step.moveTo(StepStatus.FAILED);
                        step.errorCode = "CONDITION_ERROR";
                        step.errorMessage = e.getMessage();
                        step.completedAt = now;
                        d.events.add(stepEvent("pipeline.step.failed", step));
                        finalFailure(run, step, now, d);
                        changed = true;
                        continue;
                    }
                    step.conditionEvaluated = true;
                    step.conditionResult = holds;
                    step.touch();
                    if (!holds) {
                        skip(step, "Condition not met: " + step.conditionText, "condition", now, d);
                        changed = true;
                        continue;
                    }
                }
                if (run.activeCount() >= run.maxParallelSteps) {
                    continue;
                }
                checked.add(step.key);
                ScopeCheck.Verdict verdict = scope.check(run, step, now);
                if (verdict.outcome() == ScopeCheck.Verdict.Outcome.BLOCK) {
                    outOfScope(step, verdict, now, d);
                    changed = true;
                    continue;
                }
                step.moveTo(StepStatus.QUEUED);
                step.attempt = Math.max(1, step.attempt + 1);
                step.queuedAt = now;
                step.nextAttemptAt = null;
                if (verdict.outcome() == ScopeCheck.Verdict.Outcome.WAIT) {
                    hold(step, verdict);
                }
                changed = true;
            }
        }
        finishIfDone(run, now, d);
    }

    /**
     * A queued step about to go to a worker, checked again: refused, it is skipped (true: a
     * parallel slot is free); held, it waits; allowed, its wait reason goes. Its
     * {@code nextAttemptAt} stays when it was held, so the queue timeout counts from the end of
     * the wait.
     */
    private boolean recheck(RunState run, StepState step, Instant now, Decision d) {
        ScopeCheck.Verdict verdict = scope.check(run, step, now);
        switch (verdict.outcome()) {
            case BLOCK -> {
                outOfScope(step, verdict, now, d);
                return true;
            }
            case WAIT -> hold(step, verdict);
            default -> {
                if (step.waitReason != null) {
                    step.waitReason = null;
                    step.touch();
                }
            }
        }
        return false;
    }

    private static void hold(StepState step, ScopeCheck.Verdict verdict) {
        step.nextAttemptAt = verdict.until();
        step.waitReason = verdict.rule();
        step.touch();
    }

    private void outOfScope(StepState step, ScopeCheck.Verdict verdict, Instant now, Decision d) {
        d.scopeRefusals.add(verdict.kind());
        skip(step, OUT_OF_SCOPE + verdict.rule(), SCOPE, now, d);
    }

    private void finishIfDone(RunState run, Instant now, Decision d) {
        if (run.status.terminal() && run.completedAt != null) {
            return;
        }
        if (run.steps().stream().anyMatch(s -> !s.status.terminal())) {
            return;
        }
        if (run.status == RunStatus.RUNNING) {
            boolean failed = run.steps().stream().anyMatch(s -> s.status.unsuccessful());
            run.moveTo(failed ? RunStatus.FAILED : RunStatus.COMPLETED);
            if (failed && run.errorMessage == null) {
                run.errorMessage = "steps failed: " + String.join(", ",
                        run.steps().stream().filter(s -> s.status.unsuccessful()).map(s -> s.key).toList());
            }
        }
        if (run.completedAt == null) {
            run.completedAt = now;
            d.events.add(new Decision.Event("pipeline.run." + run.status.wire(), null, runSummary(run)));
        }
    }

    private void fail(RunState run, StepState step, StepStatus how, String code, String message, boolean retriable,
            Instant now, Decision d) {
        release(step, d);
        step.moveTo(how);
        step.errorCode = code;
        step.errorMessage = message;
        step.completedAt = now;
        if (retriable && step.attempt < step.maxAttempts && run.status == RunStatus.RUNNING) {
            Duration delay = backoff(step.retryDelaySeconds, step.attempt);
            step.moveTo(StepStatus.QUEUED);
            step.attempt++;
            step.queuedAt = now;
            step.nextAttemptAt = now.plus(delay);
            step.startedAt = null;
            step.completedAt = null;
            step.commandId = null;
            step.workerId = null;
            step.dispatchedAt = null;
            step.workerLosses = 0;
            Map<String, Object> data = stepData(step);
            data.put("failed_with", how.wire());
            data.put("next_attempt_at", step.nextAttemptAt.toString());
            d.events.add(new Decision.Event("pipeline.step.retrying", step.key, data));
            return;
        }
        d.events.add(stepEvent(how == StepStatus.TIMEOUT ? "pipeline.step.timeout" : "pipeline.step.failed", step));
        finalFailure(run, step, now, d);
    }

    /** With fail_fast, the first final failure cancels what is still open and fails the run. */
    private void finalFailure(RunState run, StepState step, Instant now, Decision d) {
        if (!run.failFast || run.status != RunStatus.RUNNING) {
            return;
        }
        closeOpenSteps(run, now, d, "fail_fast: step '" + step.key + "' " + step.status.wire());
        run.moveTo(RunStatus.FAILED);
        run.errorMessage = "fail_fast: step '" + step.key + "' " + step.status.wire();
    }

    private void closeOpenSteps(RunState run, Instant now, Decision d, String why) {
        for (StepState other : run.steps()) {
            if (other.status.terminal()) {
                continue;
            }
            if (other.holdsWorker() && other.commandId != null) {
                d.cancels.add(new Decision.CancelOrder(other.key, other.commandId, other.workerId));
            }
            release(other, d);
            other.moveTo(StepStatus.CANCELLED);
            other.errorCode = "CANCELLED";
            other.errorMessage = why;
            other.completedAt = now;
            other.nextAttemptAt = null;
            d.events.add(stepEvent("pipeline.step.cancelled", other));
        }
    }

    private void skip(StepState step, String reason, String kind, Instant now, Decision d) {
        step.moveTo(StepStatus.SKIPPED);
        step.skipReason = reason;
        step.skipKind = kind;
        step.completedAt = now;
        d.events.add(stepEvent("pipeline.step.skipped", step));
    }

    private void markRunning(StepState step, Instant now, Decision d) {
        step.moveTo(StepStatus.RUNNING);
        step.startedAt = now;
        d.events.add(stepEvent("pipeline.step.started", step));
    }

    private void redispatch(StepState step, Instant now, Decision d) {
        release(step, d);
        step.previousWorkerId = step.workerId;
        step.queuedAt = now; // the queue timeout counts from here, not from the first queueing
        if (step.status == StepStatus.RUNNING) {
            step.moveTo(StepStatus.QUEUED);
            step.startedAt = null;
        }
        step.commandId = null;
        step.workerId = null;
        step.dispatchedAt = null;
        step.nextAttemptAt = null;
        step.touch();
    }

    /** Frees the worker slot the step holds, if any (the worker id stays for the record). */
    private static void release(StepState step, Decision d) {
        if (step.holdsWorker() && step.commandId != null) {
            d.releasedWorkers.add(step.workerId);
            d.releasedSteps.add(step.id);
        }
    }

    Duration backoff(int baseSeconds, int attemptThatFailed) {
        long factor = 1L << Math.min(20, Math.max(0, attemptThatFailed - 1));
        Duration delay = Duration.ofSeconds(baseSeconds).multipliedBy(factor);
        return delay.compareTo(settings.maxRetryDelay()) > 0 ? settings.maxRetryDelay() : delay;
    }

    /** The CEL variables: asset, steps.&lt;id&gt; (status, findings, output, ...), context, run. */
    public static Map<String, Object> variables(RunState run) {
        Map<String, Object> steps = new LinkedHashMap<>();
        for (StepState s : run.steps()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("status", s.status.wire());
            v.put("findings_count", s.findingsCount == null ? 0 : s.findingsCount);
            v.put("findings_by_severity", s.findingsBySeverity == null ? Map.of() : s.findingsBySeverity);
            v.put("new_findings_count", s.newFindingsCount == null ? 0 : s.newFindingsCount);
            v.put("new_findings_by_severity", s.newFindingsBySeverity == null ? Map.of() : s.newFindingsBySeverity);
            v.put("output", s.output == null ? Map.of() : s.output);
            v.put("error_code", s.errorCode == null ? "" : s.errorCode);
            v.put("attempt", s.attempt);
            steps.put(s.key, v);
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("asset", run.asset);
        vars.put("steps", steps);
        vars.put("context", run.context);
        vars.put("run", run.run);
        return vars;
    }

    private static Decision.Event stepEvent(String type, StepState step) {
        return new Decision.Event(type, step.key, stepData(step));
    }

    static Map<String, Object> stepData(StepState step) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("step_id", step.key);
        data.put("step_name", step.name);
        data.put("status", step.status.wire());
        data.put("attempt", step.attempt);
        data.put("max_attempts", step.maxAttempts);
        data.put("worker_id", step.workerId);
        if (step.findingsCount != null) {
            data.put("findings_count", step.findingsCount);
        }
        if (step.newFindingsCount != null) {
            data.put("new_findings_count", step.newFindingsCount);
            data.put("new_findings_by_severity", step.newFindingsBySeverity == null ? Map.of() : step.newFindingsBySeverity);
            data.put("fixed_findings_count", step.fixedFindingsCount == null ? 0 : step.fixedFindingsCount);
            data.put("fixed_findings_by_severity", step.fixedFindingsBySeverity == null ? Map.of()
                    : step.fixedFindingsBySeverity);
        }
        if (step.startedAt != null && step.completedAt != null) {
            data.put("duration_seconds", Duration.between(step.startedAt, step.completedAt).toSeconds());
        }
        if (step.skipReason != null) {
            data.put("skip_reason", step.skipReason);
        }
        if (step.errorCode != null) {
            data.put("error_code", step.errorCode);
            data.put("error_message", step.errorMessage);
        }
        return data;
    }

    private static Map<String, Object> runSummary(RunState run) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", run.status.wire());
        data.put("total_steps", run.steps().size());
        data.put("completed_steps", run.count(StepStatus.COMPLETED));
        data.put("failed_steps", run.count(StepStatus.FAILED) + run.count(StepStatus.TIMEOUT));
        data.put("skipped_steps", run.count(StepStatus.SKIPPED));
        data.put("total_findings", run.totalFindings());
        data.putAll(run.findingChanges());
        if (run.startedAt != null && run.completedAt != null) {
            data.put("duration_seconds", Duration.between(run.startedAt, run.completedAt).toSeconds());
        }
        if (run.errorMessage != null) {
            data.put("error_message", run.errorMessage);
        }
        return data;
    }
}
