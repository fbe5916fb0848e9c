package dev.scanflow.domain;

import static dev.scanflow.domain.StepStatus.CANCELLED;
import static dev.scanflow.domain.StepStatus.COMPLETED;
import static dev.scanflow.domain.StepStatus.FAILED;
import static dev.scanflow.domain.StepStatus.PENDING;
import static dev.scanflow.domain.StepStatus.QUEUED;
import static dev.scanflow.domain.StepStatus.RUNNING;
import static dev.scanflow.domain.StepStatus.SKIPPED;
import static dev.scanflow.domain.StepStatus.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.condition.ConditionCompiler;
import dev.scanflow.condition.ConditionEvaluator;
import dev.scanflow.domain.Decision.CancelOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The orchestration rules, driven directly through {@link RunDecider} with hand-built states and
 * the real CEL conditions. No clock: every instant is derived from {@link #NOW}.
 */
class RunDeciderTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    private static final ConditionCompiler COMPILER = new ConditionCompiler();
    private static final ConditionCheck CEL = (cel, vars) -> ConditionEvaluator.evaluate(COMPILER.compile(cel), vars);

    private static final String DAST_CEL = "asset.type == 'web_application' && asset.has_url";
    private static final String INFRA_CEL = "asset.type in ['server','network','ip_address']";

    private static final Map<String, Object> WEB_APP = Map.of("type", "web_application", "has_url", true,
            "url", "https://shop.example.com");
    private static final Map<String, Object> REPOSITORY = Map.of("type", "repository", "has_url", false);
    private static final Map<String, Object> SERVER = Map.of("type", "server", "has_url", false);

    /** The scan policy's answer per step key (ALLOW for any other), and the checks asked for. */
    private final Map<String, ScopeCheck.Verdict> scope = new java.util.HashMap<>();
    private final List<String> scopeChecks = new ArrayList<>();

    private final RunDecider decider = new RunDecider(
            new RunDecider.Settings(Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofHours(1), 2), CEL,
            (run, step, now) -> {
                scopeChecks.add(step.key);
                return scope.getOrDefault(step.key, ScopeCheck.Verdict.ALLOW);
            });

    private static Instant at(long secondsAfterNow) {
        return NOW.plusSeconds(secondsAfterNow);
    }

    // ================================================================== builders

    /** A step of a template, as pinned by a run. Defaults: order 1, tool and capability = key, 30m, 1 attempt. */
    private static final class StepSpec {
        final String key;
        int order = 1;
        String tool;
        List<String> capabilities;
        int timeoutSeconds = 1800;
        List<String> dependsOn = List.of();
        String conditionCel;
        String conditionText;
        int maxAttempts = 1;
        int retryDelaySeconds;

        StepSpec(String key) {
            this.key = key;
            this.tool = key;
            this.capabilities = List.of(key);
        }

        StepSpec order(int o) {
            order = o;
            return this;
        }

        StepSpec tool(String t) {
            tool = t;
            return this;
        }

        StepSpec caps(String... c) {
            capabilities = List.of(c);
            return this;
        }

        StepSpec timeout(int seconds) {
            timeoutSeconds = seconds;
            return this;
        }

        StepSpec dependsOn(String... deps) {
            dependsOn = List.of(deps);
            return this;
        }

        StepSpec when(String cel) {
            return when(cel, cel);
        }

        StepSpec when(String cel, String text) {
            conditionCel = cel;
            conditionText = text;
            return this;
        }

        StepSpec retries(int maxAttempts, int retryDelaySeconds) {
            this.maxAttempts = maxAttempts;
            this.retryDelaySeconds = retryDelaySeconds;
            return this;
        }

        StepState build(int index) {
            return new StepState(UUID.randomUUID(), key, key.toUpperCase(), order, index, tool, capabilities,
                    Map.of(), timeoutSeconds, dependsOn, conditionCel, conditionText, retryDelaySeconds,
                    StepStatus.PENDING, 0, maxAttempts);
        }
    }

    private static StepSpec step(String key) {
        return new StepSpec(key);
    }

    private static RunState newRun(Map<String, Object> asset, int maxParallel, boolean failFast, Instant deadline,
            StepSpec... specs) {
        List<StepState> steps = new ArrayList<>();
        for (int i = 0; i < specs.length; i++) {
            steps.add(specs[i].build(i));
        }
        return new RunState(UUID.randomUUID(), UUID.randomUUID(), RunStatus.PENDING, maxParallel, failFast, deadline,
                null, asset, Map.of("trigger", "manual"), Map.of("id", "run-1"), steps);
    }

    private static RunState newRun(int maxParallel, boolean failFast, StepSpec... specs) {
        return newRun(WEB_APP, maxParallel, failFast, null, specs);
    }

    /** The "Full Security Scan" seed template. */
    private static RunState fullScan(Map<String, Object> asset) {
        return newRun(asset, 3, false, null,
                step("sast").tool("semgrep").timeout(1800),
                step("sca").tool("trivy").timeout(900),
                step("secrets").tool("gitleaks").timeout(600),
                step("dast").order(2).tool("nuclei").dependsOn("sast", "sca", "secrets").when(DAST_CEL).timeout(7200)
                        .retries(2, 60),
                step("infra").order(3).tool("nmap").caps("infra", "network").when(INFRA_CEL).timeout(3600));
    }

    /** What the shell does after matching a worker: a command is sent. */
    private static UUID dispatch(StepState step, String workerId, Instant at) {
        assertEquals(QUEUED, step.status, "only a queued step is dispatched");
        assertNull(step.commandId, "the step already has a command");
        step.commandId = UUID.randomUUID();
        step.workerId = workerId;
        step.dispatchedAt = at;
        return step.commandId;
    }

    private static WorkerResult report(StepState step, String status) {
        return new WorkerResult(step.commandId, step.workerId, step.workerId, status, null, null, null, null, null);
    }

    private static WorkerResult completed(StepState step, int findings, Map<String, Object> bySeverity,
            Map<String, Object> output) {
        return new WorkerResult(step.commandId, step.workerId, step.workerId, "completed", findings, bySeverity, output,
                null, null);
    }

    private static WorkerResult failed(StepState step, String code, String message) {
        return new WorkerResult(step.commandId, step.workerId, step.workerId, "failed", null, null, null, code, message);
    }

    /** Dispatch (if needed), report running, return the decision of the running report. */
    private Decision startOn(RunState run, String key, String worker, Instant at) {
        StepState s = run.step(key);
        if (s.commandId == null) {
            dispatch(s, worker, at);
        }
        Decision d = decider.onResult(run, report(s, "running"), at);
        assertNull(d.ignored());
        return d;
    }

    /** Dispatch, running, completed (no findings); returns the completed decision. */
    private Decision complete(RunState run, String key, String worker, Instant at) {
        return complete(run, key, worker, at, Map.of());
    }

    private Decision complete(RunState run, String key, String worker, Instant at, Map<String, Object> output) {
        startOn(run, key, worker, at);
        Decision d = decider.onResult(run, completed(run.step(key), 0, Map.of(), output), at);
        assertNull(d.ignored());
        assertEquals(COMPLETED, run.step(key).status);
        return d;
    }

    /** Dispatch, running, failed; returns the failed decision. */
    private Decision fail(RunState run, String key, String worker, Instant at) {
        startOn(run, key, worker, at);
        Decision d = decider.onResult(run, failed(run.step(key), "TOOL_FAILED", "boom"), at);
        assertNull(d.ignored());
        return d;
    }

    private static List<String> types(Decision d) {
        return d.events.stream().map(Decision.Event::type).toList();
    }

    private static List<String> typesAndSteps(Decision d) {
        return d.events.stream().map(e -> e.stepKey() == null ? e.type() : e.type() + ":" + e.stepKey()).toList();
    }

    private static Decision.Event event(Decision d, String type, String stepKey) {
        return d.events.stream().filter(e -> e.type().equals(type) && java.util.Objects.equals(e.stepKey(), stepKey))
                .findFirst().orElseThrow(() -> new AssertionError("no event " + type + " for " + stepKey + " in " + d.events));
    }

    private static Map<String, StepStatus> statuses(RunState run) {
        Map<String, StepStatus> out = new java.util.LinkedHashMap<>();
        run.steps().forEach(s -> out.put(s.key, s.status));
        return out;
    }

    /** Every mutable field of the run and its steps, to show that nothing changed. */
    private static String snapshot(RunState run) {
        StringBuilder b = new StringBuilder();
        b.append(Arrays.asList(run.status, run.startedAt, run.completedAt, run.errorMessage)).append('\n');
        for (StepState s : run.steps()) {
            b.append(Arrays.asList(s.key, s.status, s.attempt, s.maxAttempts, s.workerId, s.commandId,
                    s.conditionEvaluated, s.conditionResult, s.skipReason, s.skipKind, s.findingsCount,
                    s.findingsBySeverity, s.output, s.errorCode, s.errorMessage, s.queuedAt, s.startedAt,
                    s.completedAt, s.nextAttemptAt, s.dispatchedAt, s.workerLosses)).append('\n');
        }
        return b.toString();
    }

    private static void assertNothingHappened(Decision d) {
        assertEquals(List.of(), d.events);
        assertEquals(List.of(), d.cancels);
        assertEquals(List.of(), d.releasedWorkers);
    }

    // ================================================================== start

    @Test
    void startMovesTheRunToRunningAndQueuesStepsWithoutDependencies() {
        RunState run = newRun(10, false, step("a"), step("b"), step("c").dependsOn("a"), step("d").dependsOn("b", "c"));

        Decision d = decider.start(run, NOW);

        assertEquals(RunStatus.RUNNING, run.status);
        assertEquals(NOW, run.startedAt);
        assertNull(run.completedAt);
        assertEquals(List.of("pipeline.run.started"), types(d));
        assertNull(d.events.get(0).stepKey());
        assertNull(d.ignored());
        assertEquals(List.of(), d.cancels);
        assertEquals(List.of(), d.releasedWorkers);
        for (String key : List.of("a", "b")) {
            StepState s = run.step(key);
            assertEquals(QUEUED, s.status, key);
            assertEquals(1, s.attempt, key);
            assertEquals(NOW, s.queuedAt, key);
            assertNull(s.nextAttemptAt, key);
            assertNull(s.commandId, key);
            assertNull(s.workerId, key);
            assertTrue(s.awaitingDispatch(NOW), key);
        }
        for (String key : List.of("c", "d")) {
            StepState s = run.step(key);
            assertEquals(PENDING, s.status, key);
            assertEquals(0, s.attempt, key);
            assertNull(s.queuedAt, key);
            assertNull(s.conditionEvaluated, key);
        }
        assertEquals(List.of("a", "b"), run.changedSteps().stream().map(s -> s.key).toList());
        assertTrue(run.dirty());
    }

    @Test
    void tickStartsAPendingRun() {
        RunState run = newRun(10, false, step("a"));
        Decision d = decider.tick(run, NOW);
        assertEquals(RunStatus.RUNNING, run.status);
        assertEquals(List.of("pipeline.run.started"), types(d));
        assertEquals(QUEUED, run.step("a").status);
    }

    @Test
    void aRunWithNothingToDoCompletesAtStart() {
        RunState run = newRun(REPOSITORY, 3, false, null, step("web").when("asset.type == 'web_application'"));
        Decision d = decider.start(run, NOW);
        assertEquals(RunStatus.COMPLETED, run.status);
        assertEquals(NOW, run.completedAt);
        assertEquals(List.of("pipeline.run.started", "pipeline.step.skipped", "pipeline.run.completed"), types(d));
    }

    // ================================================================== max_parallel_steps

    @Test
    void maxParallelStepsIsHonoured() {
        RunState run = newRun(2, false, step("a"), step("b"), step("c"));

        decider.start(run, NOW);
        assertEquals(Map.of("a", QUEUED, "b", QUEUED, "c", PENDING), statuses(run));
        assertEquals(2, run.activeCount());

        // running does not free a slot
        startOn(run, "a", "w1", at(1));
        startOn(run, "b", "w2", at(1));
        assertEquals(PENDING, run.step("c").status);

        Decision d = decider.onResult(run, completed(run.step("a"), 0, Map.of(), Map.of()), at(60));
        assertEquals(COMPLETED, run.step("a").status);
        StepState c = run.step("c");
        assertEquals(QUEUED, c.status);
        assertEquals(1, c.attempt);
        assertEquals(at(60), c.queuedAt);
        assertEquals(List.of("pipeline.step.completed"), types(d));
        assertEquals(2, run.activeCount());
    }

    @Test
    void aConditionIsEvaluatedButTheStepWaitsForASlot() {
        RunState run = fullScan(SERVER);
        decider.start(run, NOW);
        StepState infra = run.step("infra");
        assertEquals(PENDING, infra.status, "sast, sca and secrets hold the three slots");
        assertEquals(Boolean.TRUE, infra.conditionResult);

        complete(run, "sca", "w2", at(30));
        assertEquals(QUEUED, infra.status);
        assertEquals(1, infra.attempt);
        assertEquals(at(30), infra.queuedAt);
    }

    // ================================================================== conditions

    @Test
    void falseConditionSkipsTheStep() {
        String cel = "asset.type == 'web_application'";
        RunState run = newRun(REPOSITORY, 3, false, null,
                step("web").when(cel, "asset type is web_application"), step("other"));

        Decision d = decider.start(run, NOW);

        StepState web = run.step("web");
        assertEquals(SKIPPED, web.status);
        assertEquals(Boolean.TRUE, web.conditionEvaluated);
        assertEquals(Boolean.FALSE, web.conditionResult);
        assertEquals("Condition not met: asset type is web_application", web.skipReason);
        assertEquals("condition", web.skipKind);
        assertEquals(NOW, web.completedAt);
        assertEquals(0, web.attempt);
        assertNull(web.queuedAt);
        assertNull(web.errorCode);
        assertEquals(List.of("pipeline.run.started", "pipeline.step.skipped:web"), typesAndSteps(d));
        assertEquals("Condition not met: asset type is web_application",
                event(d, "pipeline.step.skipped", "web").data().get("skip_reason"));
        assertEquals("skipped", event(d, "pipeline.step.skipped", "web").data().get("status"));
        assertEquals(QUEUED, run.step("other").status);
    }

    @Test
    void trueConditionQueuesTheStep() {
        RunState run = newRun(WEB_APP, 3, false, null, step("web").when("asset.type == 'web_application'"));

        Decision d = decider.start(run, NOW);

        StepState web = run.step("web");
        assertEquals(QUEUED, web.status);
        assertEquals(Boolean.TRUE, web.conditionEvaluated);
        assertEquals(Boolean.TRUE, web.conditionResult);
        assertNull(web.skipReason);
        assertNull(web.skipKind);
        assertEquals(1, web.attempt);
        assertEquals(NOW, web.queuedAt);
        assertEquals(List.of("pipeline.run.started"), types(d));
    }

    @Test
    void conditionThatThrowsFailsTheStepWithConditionError() {
        // the asset has no property "port": CEL raises "no such key", which must not be taken as false
        RunState run = newRun(WEB_APP, 3, false, null, step("a").when("asset.properties.port > 1024").retries(3, 10), step("b"));

        Decision d = decider.start(run, NOW);

        StepState a = run.step("a");
        assertEquals(FAILED, a.status);
        assertEquals("CONDITION_ERROR", a.errorCode);
        assertNotNull(a.errorMessage);
        assertTrue(a.errorMessage.contains("asset.properties.port > 1024"), a.errorMessage);
        assertEquals(Boolean.TRUE, a.conditionEvaluated);
        assertNull(a.conditionResult);
        assertEquals(NOW, a.completedAt);
        assertEquals(0, a.attempt, "a condition error is not retried");
        assertEquals(List.of("pipeline.run.started", "pipeline.step.failed:a"), typesAndSteps(d));
        assertEquals("CONDITION_ERROR", event(d, "pipeline.step.failed", "a").data().get("error_code"));
        assertEquals(QUEUED, run.step("b").status, "without fail_fast the other steps go on");
        assertEquals(RunStatus.RUNNING, run.status);
    }

    @Test
    void conditionThatDoesNotCompileFailsTheStepWithConditionError() {
        RunState run = newRun(WEB_APP, 3, false, null, step("a").when("asset.type =="));
        decider.start(run, NOW);
        assertEquals(FAILED, run.step("a").status);
        assertEquals("CONDITION_ERROR", run.step("a").errorCode);
        assertEquals(RunStatus.FAILED, run.status);
    }

    // ================================================================== dependencies

    @Test
    void failedDependencySkipsTheDependentStep() {
        RunState run = newRun(3, false, step("x"), step("y").dependsOn("x").when("asset.type == 'web_application'"));
        decider.start(run, NOW);

        Decision d = fail(run, "x", "w1", at(10));

        StepState y = run.step("y");
        assertEquals(SKIPPED, y.status);
        assertEquals("Dependency 'x' failed", y.skipReason);
        assertEquals("dependency", y.skipKind);
        assertEquals(at(10), y.completedAt);
        assertNull(y.conditionEvaluated, "the condition of a blocked step is not evaluated");
        assertEquals(List.of("pipeline.step.failed:x", "pipeline.step.skipped:y", "pipeline.run.failed"),
                typesAndSteps(d));
        assertEquals(RunStatus.FAILED, run.status);
    }

    @Test
    void timedOutDependencySkipsTheDependentStep() {
        RunState run = newRun(3, false, step("x").timeout(60), step("y").dependsOn("x"));
        decider.start(run, NOW);
        startOn(run, "x", "w1", NOW);

        decider.tick(run, at(60));

        assertEquals(TIMEOUT, run.step("x").status);
        assertEquals(SKIPPED, run.step("y").status);
        assertEquals("Dependency 'x' timeout", run.step("y").skipReason);
        assertEquals("dependency", run.step("y").skipKind);
    }

    @Test
    void cancelledDependencySkipsTheDependentStep() {
        RunState run = newRun(3, false, step("x"), step("y").dependsOn("x"));
        decider.start(run, NOW);
        startOn(run, "x", "w1", NOW);

        Decision d = decider.onResult(run, report(run.step("x"), "cancelled"), at(5));

        StepState x = run.step("x");
        assertEquals(CANCELLED, x.status);
        assertEquals("CANCELLED_BY_WORKER", x.errorCode);
        assertEquals(List.of("w1"), d.releasedWorkers);
        assertEquals(List.of(x.id), d.releasedSteps, "the slot to free is found by the step that held it");
        assertEquals(SKIPPED, run.step("y").status);
        assertEquals("Dependency 'x' cancelled", run.step("y").skipReason);
        assertEquals("dependency", run.step("y").skipKind);
        assertEquals(RunStatus.FAILED, run.status, "a cancelled step makes the run fail");
    }

    @Test
    void dependencyIsReadyOnlyWhenEveryDependencyIsTerminal() {
        RunState run = newRun(3, false, step("x"), step("z"), step("y").dependsOn("x", "z"));
        decider.start(run, NOW);
        complete(run, "x", "w1", at(1));
        assertEquals(PENDING, run.step("y").status);
        complete(run, "z", "w2", at(2));
        assertEquals(QUEUED, run.step("y").status);
        assertEquals(at(2), run.step("y").queuedAt);
    }

    @Test
    void completedAndSkippedDependenciesSatisfyTheStep() {
        RunState run = newRun(REPOSITORY, 3, false, null,
                step("skipped").when("asset.type == 'web_application'"), step("done"),
                step("after").dependsOn("skipped", "done"));
        decider.start(run, NOW);
        assertEquals(SKIPPED, run.step("skipped").status);
        assertEquals(PENDING, run.step("after").status);

        Decision d = complete(run, "done", "w1", at(20));

        StepState after = run.step("after");
        assertEquals(QUEUED, after.status);
        assertNull(after.skipReason);
        assertEquals(1, after.attempt);
        assertEquals(at(20), after.queuedAt);
        assertEquals(List.of("pipeline.step.completed"), types(d));
    }

    // ================================================================== worker results

    @Test
    void runningResultStartsTheStep() {
        RunState run = newRun(3, false, step("a"));
        decider.start(run, NOW);
        StepState a = run.step("a");
        UUID cmd = dispatch(a, "w1", NOW);

        Decision d = decider.onResult(run, report(a, "running"), at(3));

        assertNull(d.ignored());
        assertEquals(RUNNING, a.status);
        assertEquals(at(3), a.startedAt);
        assertEquals(cmd, a.commandId);
        assertEquals("w1", a.workerId);
        assertEquals(List.of("pipeline.step.started:a"), typesAndSteps(d));
        Map<String, Object> data = d.events.get(0).data();
        assertEquals("a", data.get("step_id"));
        assertEquals("running", data.get("status"));
        assertEquals(1, data.get("attempt"));
        assertEquals("w1", data.get("worker_id"));
        assertEquals(List.of(), d.releasedWorkers, "a running step keeps its slot");
        assertEquals(List.of(), d.cancels);
    }

    @Test
    void completedResultRecordsFindingsAndOutputAndReleasesTheWorker() {
        RunState run = newRun(3, false, step("a"), step("b"));
        decider.start(run, NOW);
        StepState a = run.step("a");
        dispatch(a, "w1", NOW);
        decider.onResult(run, report(a, "running"), at(1));

        Map<String, Object> bySeverity = Map.of("critical", 1, "high", 2, "low", 4);
        Map<String, Object> output = Map.of("open_ports", List.of(22, 443));
        Decision d = decider.onResult(run, completed(a, 7, bySeverity, output), at(90));

        assertNull(d.ignored());
        assertEquals(COMPLETED, a.status);
        assertEquals(7, a.findingsCount);
        assertEquals(bySeverity, a.findingsBySeverity);
        assertEquals(output, a.output);
        assertEquals(at(1), a.startedAt);
        assertEquals(at(90), a.completedAt);
        assertNull(a.errorCode);
        assertEquals(List.of("pipeline.step.completed:a"), typesAndSteps(d));
        assertEquals(7, d.events.get(0).data().get("findings_count"));
        assertEquals("completed", d.events.get(0).data().get("status"));
        assertEquals(List.of("w1"), d.releasedWorkers);
        assertEquals(RunStatus.RUNNING, run.status, "b is still open");
    }

    @Test
    void completedWithoutFindingsOrOutputDefaults() {
        RunState run = newRun(3, false, step("a"));
        decider.start(run, NOW);
        StepState a = run.step("a");
        startOn(run, "a", "w1", NOW);
        decider.onResult(run, new WorkerResult(a.commandId, "w1", "w1", "completed", -3, null, null, null, null), at(1));
        assertEquals(COMPLETED, a.status);
        assertEquals(0, a.findingsCount);
        assertEquals(Map.of(), a.output);
    }

    @Test
    void completedWhileStillQueuedGoesThroughRunning() {
        RunState run = newRun(3, false, step("a"), step("b"));
        decider.start(run, NOW);
        StepState a = run.step("a");
        dispatch(a, "w1", NOW);

        Decision d = decider.onResult(run, completed(a, 2, Map.of("high", 2), Map.of()), at(40));

        assertEquals(COMPLETED, a.status);
        assertEquals(at(40), a.startedAt);
        assertEquals(at(40), a.completedAt);
        assertEquals(2, a.findingsCount);
        assertEquals(List.of("pipeline.step.started:a", "pipeline.step.completed:a"), typesAndSteps(d));
        assertEquals(List.of("w1"), d.releasedWorkers);
    }

    @Test
    void outputOfAStepIsReadByALaterCondition_true() {
        RunState run = newRun(3, false, step("a"), step("b").dependsOn("a").when("8080 in steps.a.output.open_ports"));
        decider.start(run, NOW);

        complete(run, "a", "w1", at(10), Map.of("open_ports", List.of(22, 8080)));

        StepState b = run.step("b");
        assertEquals(QUEUED, b.status);
        assertEquals(Boolean.TRUE, b.conditionResult);
        assertEquals(at(10), b.queuedAt);
    }

    @Test
    void outputOfAStepIsReadByALaterCondition_false() {
        RunState run = newRun(3, false, step("a"), step("b").dependsOn("a").when("8080 in steps.a.output.open_ports"));
        decider.start(run, NOW);

        Decision d = complete(run, "a", "w1", at(10), Map.of("open_ports", List.of(22, 443)));

        StepState b = run.step("b");
        assertEquals(SKIPPED, b.status);
        assertEquals(Boolean.TRUE, b.conditionEvaluated);
        assertEquals(Boolean.FALSE, b.conditionResult);
        assertEquals("Condition not met: 8080 in steps.a.output.open_ports", b.skipReason);
        assertEquals("condition", b.skipKind);
        assertEquals(List.of("pipeline.step.completed:a", "pipeline.step.skipped:b", "pipeline.run.completed"),
                typesAndSteps(d));
        assertEquals(RunStatus.COMPLETED, run.status);
    }

    @Test
    void stepVariablesExposeStatusAndFindings() {
        RunState run = newRun(3, false, step("a"),
                step("b").dependsOn("a").when("steps.a.status == 'completed' && steps.a.findings_count > 3"));
        decider.start(run, NOW);
        startOn(run, "a", "w1", NOW);
        decider.onResult(run, completed(run.step("a"), 5, Map.of("high", 5), Map.of()), at(1));
        assertEquals(QUEUED, run.step("b").status);
    }

    // ================================================================== ignored results

    /** a running on w1, b queued and dispatched to w2, c pending. */
    private RunState runWithWork() {
        RunState run = newRun(2, false, step("a"), step("b"), step("c"));
        decider.start(run, NOW);
        startOn(run, "a", "w1", NOW);
        dispatch(run.step("b"), "w2", NOW);
        return run;
    }

    @Test
    void resultForAnUnknownCommandIsStale() {
        RunState run = runWithWork();
        String before = snapshot(run);

        Decision d = decider.onResult(run,
                new WorkerResult(UUID.randomUUID(), "w1", "w1", "completed", 1, null, null, null, null), at(5));

        assertEquals("stale", d.ignored());
        assertNothingHappened(d);
        assertEquals(before, snapshot(run));
    }

    @Test
    void resultWhoseSubjectAndBodyWorkersDifferIsSpoofed() {
        RunState run = runWithWork();
        StepState a = run.step("a");
        String before = snapshot(run);

        Decision d = decider.onResult(run,
                new WorkerResult(a.commandId, "w1", "w9", "completed", 1, null, null, null, null), at(5));

        assertEquals("spoofed", d.ignored());
        assertNothingHappened(d);
        assertEquals(before, snapshot(run));

        Decision nullSubject = decider.onResult(run,
                new WorkerResult(a.commandId, null, "w1", "completed", 1, null, null, null, null), at(5));
        assertEquals("spoofed", nullSubject.ignored());
        assertEquals(before, snapshot(run));
    }

    @Test
    void aResultWithoutWorkerIdInTheBodyIsTakenFromTheSubjectsWorker() {
        // the design document's worker response names no worker (the subject does) and is not
        // preceded by a running report
        RunState run = runWithWork();
        StepState b = run.step("b");

        Decision d = decider.onResult(run,
                new WorkerResult(b.commandId, "w2", null, "completed", 12, null, null, null, null, "scan-001"), at(5));

        assertNull(d.ignored());
        assertEquals(COMPLETED, b.status);
        assertEquals(12, b.findingsCount);
        assertEquals("scan-001", b.scanId);
        assertNotNull(b.startedAt);
        assertTrue(d.events.stream().anyMatch(e -> e.type().equals("pipeline.step.started")));
        StepState a = run.step("a");
        Decision fromAnother = decider.onResult(run,
                new WorkerResult(a.commandId, "w2", null, "completed", 1, null, null, null, null), at(6));
        assertEquals("spoofed", fromAnother.ignored(), "the subject must still be the step's worker");
    }

    @Test
    void resultFromAnotherWorkerThanTheStepsIsSpoofed() {
        RunState run = runWithWork();
        StepState b = run.step("b");
        String before = snapshot(run);

        // w1 is a worker of this run, but b's command went to w2
        Decision d = decider.onResult(run,
                new WorkerResult(b.commandId, "w1", "w1", "running", null, null, null, null, null), at(5));

        assertEquals("spoofed", d.ignored());
        assertNothingHappened(d);
        assertEquals(before, snapshot(run));
    }

    @Test
    void resultForATerminalStepIsDuplicate() {
        RunState run = runWithWork();
        StepState a = run.step("a");
        decider.onResult(run, completed(a, 3, Map.of(), Map.of()), at(5));
        assertEquals(COMPLETED, a.status);
        String before = snapshot(run);

        for (String status : List.of("completed", "failed", "running", "cancelled")) {
            Decision d = decider.onResult(run, report(a, status), at(6));
            assertEquals("duplicate", d.ignored(), status);
            assertNothingHappened(d);
            assertEquals(before, snapshot(run), status);
        }
    }

    @Test
    void secondRunningIsDuplicate() {
        RunState run = runWithWork();
        StepState a = run.step("a");
        String before = snapshot(run);

        Decision d = decider.onResult(run, report(a, "running"), at(5));

        assertEquals("duplicate", d.ignored());
        assertNothingHappened(d);
        assertEquals(before, snapshot(run));
        assertEquals(NOW, a.startedAt);
    }

    @Test
    void unknownResultStatusIsIgnored() {
        RunState run = runWithWork();
        String before = snapshot(run);
        Decision d = decider.onResult(run, report(run.step("a"), "exploded"), at(5));
        assertEquals("invalid", d.ignored());
        assertNothingHappened(d);
        assertEquals(before, snapshot(run));
    }

    @Test
    void resultForAnEarlierAttemptIsStale() {
        RunState run = newRun(3, false, step("a").retries(2, 10));
        decider.start(run, NOW);
        StepState a = run.step("a");
        startOn(run, "a", "w1", NOW);
        UUID firstCommand = a.commandId;
        decider.onResult(run, failed(a, "TOOL_FAILED", "boom"), at(5));
        assertEquals(QUEUED, a.status);
        String before = snapshot(run);

        Decision d = decider.onResult(run,
                new WorkerResult(firstCommand, "w1", "w1", "completed", 0, null, null, null, null), at(6));

        assertEquals("stale", d.ignored());
        assertEquals(before, snapshot(run));
    }

    // ================================================================== retries

    @Test
    void failedAttemptsAreRetriedWithADoublingBackoffThenFail() {
        RunState run = newRun(3, false, step("a").retries(3, 10));
        decider.start(run, NOW);
        StepState a = run.step("a");

        // attempt 1 fails
        Instant t1 = at(60);
        startOn(run, "a", "w1", NOW);
        Decision d1 = decider.onResult(run, failed(a, "SCANNER_CRASH", "exit 137"), t1);

        assertEquals(QUEUED, a.status);
        assertEquals(2, a.attempt);
        assertEquals(t1.plusSeconds(10), a.nextAttemptAt);
        assertEquals(t1, a.queuedAt);
        assertNull(a.commandId);
        assertNull(a.workerId);
        assertNull(a.dispatchedAt);
        assertNull(a.startedAt);
        assertNull(a.completedAt);
        assertEquals("SCANNER_CRASH", a.errorCode);
        assertEquals("exit 137", a.errorMessage);
        assertEquals(List.of("pipeline.step.retrying:a"), typesAndSteps(d1));
        Map<String, Object> data = d1.events.get(0).data();
        assertEquals("failed", data.get("failed_with"));
        assertEquals(t1.plusSeconds(10).toString(), data.get("next_attempt_at"));
        assertEquals(2, data.get("attempt"));
        assertEquals("queued", data.get("status"));
        assertEquals(List.of("w1"), d1.releasedWorkers);
        assertFalse(a.awaitingDispatch(t1.plusSeconds(9)), "not before the back-off");
        assertTrue(a.awaitingDispatch(t1.plusSeconds(10)));
        assertEquals(RunStatus.RUNNING, run.status);

        // attempt 2 fails: the delay doubles
        Instant t2 = t1.plusSeconds(100);
        startOn(run, "a", "w2", t1.plusSeconds(10));
        Decision d2 = decider.onResult(run, failed(a, null, null), t2);

        assertEquals(QUEUED, a.status);
        assertEquals(3, a.attempt);
        assertEquals(t2.plusSeconds(20), a.nextAttemptAt);
        assertEquals("TOOL_FAILED", a.errorCode, "a failure without a code is TOOL_FAILED");
        assertEquals(List.of("pipeline.step.retrying"), types(d2));
        assertEquals(List.of("w2"), d2.releasedWorkers);

        // attempt 3 fails: no attempts left
        Instant t3 = t2.plusSeconds(100);
        startOn(run, "a", "w1", t2.plusSeconds(20));
        Decision d3 = decider.onResult(run, failed(a, "TOOL_FAILED", "again"), t3);

        assertEquals(FAILED, a.status);
        assertEquals(3, a.attempt);
        assertEquals(t3, a.completedAt);
        assertEquals("again", a.errorMessage);
        assertEquals(List.of("pipeline.step.failed:a", "pipeline.run.failed"), typesAndSteps(d3));
        assertEquals(RunStatus.FAILED, run.status);
        assertEquals(t3, run.completedAt);
        assertEquals("steps failed: a", run.errorMessage);
    }

    @Test
    void retryDelayIsCappedAtMaxRetryDelay() {
        RunState run = newRun(3, false, step("a").retries(30, 10));
        decider.start(run, NOW);
        StepState a = run.step("a");
        a.attempt = 15; // 10s * 2^14 would be more than 45 hours
        startOn(run, "a", "w1", NOW);

        decider.onResult(run, failed(a, "TOOL_FAILED", "boom"), at(5));

        assertEquals(QUEUED, a.status);
        assertEquals(16, a.attempt);
        assertEquals(at(5).plus(Duration.ofHours(1)), a.nextAttemptAt);
    }

    @Test
    void backoffDoublesAndNeverExceedsTheCap() {
        assertEquals(Duration.ofSeconds(10), decider.backoff(10, 1));
        assertEquals(Duration.ofSeconds(20), decider.backoff(10, 2));
        assertEquals(Duration.ofSeconds(40), decider.backoff(10, 3));
        assertEquals(Duration.ofSeconds(0), decider.backoff(0, 5));
        assertEquals(Duration.ofHours(1), decider.backoff(4000, 1));
        for (int attempt = 1; attempt <= 100; attempt++) {
            Duration delay = decider.backoff(10, attempt);
            assertTrue(delay.compareTo(Duration.ofHours(1)) <= 0, attempt + ": " + delay);
            assertFalse(delay.isNegative(), attempt + ": " + delay);
        }
        assertEquals(Duration.ofHours(1), decider.backoff(10, Integer.MAX_VALUE));
        assertEquals(Duration.ofHours(1), decider.backoff(Integer.MAX_VALUE, 30));
    }

    @Test
    void aRetriableFailureDoesNotTriggerFailFast() {
        RunState run = newRun(3, true, step("a").retries(2, 10), step("b"));
        decider.start(run, NOW);
        startOn(run, "b", "w2", NOW);

        Decision d = fail(run, "a", "w1", at(5));

        assertEquals(List.of("pipeline.step.retrying"), types(d));
        assertEquals(List.of(), d.cancels);
        assertEquals(RUNNING, run.step("b").status);
        assertEquals(RunStatus.RUNNING, run.status);
    }

    // ================================================================== step timeout

    @Test
    void runningStepPastItsTimeoutIsRetried() {
        RunState run = newRun(3, false, step("a").timeout(600).retries(2, 30));
        decider.start(run, NOW);
        StepState a = run.step("a");
        startOn(run, "a", "w1", NOW);
        UUID cmd = a.commandId;

        Decision d = decider.tick(run, at(600));

        assertEquals(List.of(new CancelOrder("a", cmd, "w1")), d.cancels);
        assertEquals(List.of("w1"), d.releasedWorkers);
        assertEquals(QUEUED, a.status);
        assertEquals(2, a.attempt);
        assertEquals("TIMEOUT", a.errorCode);
        assertEquals("no result within 10m", a.errorMessage);
        assertEquals(at(630), a.nextAttemptAt);
        assertNull(a.commandId);
        assertNull(a.workerId);
        assertEquals(List.of("pipeline.step.retrying:a"), typesAndSteps(d));
        assertEquals("timeout", d.events.get(0).data().get("failed_with"));
    }

    @Test
    void runningStepPastItsTimeoutWithoutAttemptsLeftTimesOut() {
        RunState run = newRun(3, false, step("a").timeout(600));
        decider.start(run, NOW);
        StepState a = run.step("a");
        startOn(run, "a", "w1", at(10));
        UUID cmd = a.commandId;

        Decision d = decider.tick(run, at(610));

        assertEquals(TIMEOUT, a.status);
        assertEquals("TIMEOUT", a.errorCode);
        assertEquals(at(610), a.completedAt);
        assertEquals(List.of(new CancelOrder("a", cmd, "w1")), d.cancels);
        assertEquals(List.of("w1"), d.releasedWorkers);
        assertEquals(List.of("pipeline.step.timeout:a", "pipeline.run.failed"), typesAndSteps(d));
        assertEquals(RunStatus.FAILED, run.status);
    }

    @Test
    void runningStepNotYetDueIsLeftAlone() {
        RunState run = newRun(3, false, step("a").timeout(600));
        decider.start(run, NOW);
        startOn(run, "a", "w1", NOW);
        String before = snapshot(run);

        Decision d = decider.tick(run, at(599));

        assertNothingHappened(d);
        assertEquals(before, snapshot(run));
        assertEquals(RUNNING, run.step("a").status);
    }

    // ================================================================== queue timeout

    @Test
    void queuedStepWithoutAWorkerTimesOutWithNoWorkerAndIsNotRetried() {
        RunState run = newRun(3, false, step("a").retries(3, 10));
        decider.start(run, NOW);
        StepState a = run.step("a");

        assertNothingHappened(decider.tick(run, at(599)));
        assertEquals(QUEUED, a.status);

        Decision d = decider.tick(run, at(600));

        assertEquals(TIMEOUT, a.status);
        assertEquals("NO_WORKER", a.errorCode);
        assertEquals("no capable worker was available within 10m", a.errorMessage);
        assertEquals(1, a.attempt, "attempts left, but no retry");
        assertEquals(at(600), a.completedAt);
        assertEquals(List.of(), d.cancels);
        assertEquals(List.of(), d.releasedWorkers);
        assertEquals(List.of("pipeline.step.timeout:a", "pipeline.run.failed"), typesAndSteps(d));
        assertEquals("NO_WORKER", d.events.get(0).data().get("error_code"));
    }

    @Test
    void queueTimeoutOfARetryCountsFromTheEndOfTheBackOff() {
        RunState run = newRun(3, false, step("a").retries(3, 100));
        decider.start(run, NOW);
        StepState a = run.step("a");
        fail(run, "a", "w1", at(10)); // queued again at 10s, next attempt at 110s
        assertEquals(at(110), a.nextAttemptAt);

        decider.tick(run, at(10 + 600));
        assertEquals(QUEUED, a.status, "the back-off is not time spent waiting for a worker");
        decider.tick(run, at(110 + 599));
        assertEquals(QUEUED, a.status);

        decider.tick(run, at(110 + 600));
        assertEquals(TIMEOUT, a.status);
        assertEquals("NO_WORKER", a.errorCode);
    }

    // ================================================================== ack timeout

    @Test
    void commandNeverAcknowledgedIsTakenBackForAnotherWorker() {
        RunState run = newRun(3, false, step("a").retries(3, 10));
        decider.start(run, NOW);
        StepState a = run.step("a");
        UUID cmd = dispatch(a, "w1", at(5));

        assertNothingHappened(decider.tick(run, at(34)));
        assertEquals(cmd, a.commandId);

        Decision d = decider.tick(run, at(35));

        assertEquals(QUEUED, a.status);
        assertNull(a.commandId);
        assertNull(a.workerId);
        assertNull(a.dispatchedAt);
        assertEquals(1, a.attempt, "the same attempt");
        assertEquals(0, a.workerLosses);
        assertEquals(List.of(new CancelOrder("a", cmd, "w1")), d.cancels);
        assertEquals(List.of("w1"), d.releasedWorkers);
        assertEquals(List.of(), d.events);
        assertTrue(a.awaitingDispatch(at(35)));
        assertTrue(a.dirty());
    }

    // ================================================================== worker lost

    @Test
    void lostWorkersRunningStepGoesBackToQueued() {
        RunState run = newRun(3, false, step("a").retries(3, 10), step("b"));
        decider.start(run, NOW);
        StepState a = run.step("a");
        startOn(run, "a", "w1", NOW);
        startOn(run, "b", "w2", NOW);
        String bBefore = snapshot(run).split("\n")[2];

        Decision d = decider.workerLost(run, "w1", at(60));

        assertEquals(QUEUED, a.status);
        assertNull(a.commandId);
        assertNull(a.workerId);
        assertNull(a.dispatchedAt);
        assertNull(a.startedAt);
        assertEquals(1, a.attempt, "the same attempt");
        assertEquals(1, a.workerLosses);
        assertNull(a.errorCode);
        assertTrue(a.awaitingDispatch(at(60)));
        assertEquals(List.of("w1"), d.releasedWorkers);
        assertEquals(List.of(), d.cancels, "nobody to tell");
        assertEquals(List.of(), d.events);
        assertEquals(bBefore, snapshot(run).split("\n")[2], "b on w2 is untouched");
        assertEquals(RunStatus.RUNNING, run.status);
    }

    @Test
    void lostWorkerWithAnUnacknowledgedCommandGivesTheStepBack() {
        RunState run = newRun(3, false, step("a"));
        decider.start(run, NOW);
        StepState a = run.step("a");
        dispatch(a, "w1", NOW);

        Decision d = decider.workerLost(run, "w1", at(10));

        assertEquals(QUEUED, a.status);
        assertNull(a.commandId);
        assertEquals(1, a.workerLosses);
        assertEquals(List.of("w1"), d.releasedWorkers);
    }

    @Test
    void stepFailsWithWorkerLostAfterTooManyLosses() {
        RunState run = newRun(3, false, step("a"));
        decider.start(run, NOW);
        StepState a = run.step("a");

        for (int loss = 1; loss <= 2; loss++) {
            startOn(run, "a", "w" + loss, at(loss * 100));
            decider.workerLost(run, "w" + loss, at(loss * 100 + 50));
            assertEquals(QUEUED, a.status, "loss " + loss);
            assertEquals(loss, a.workerLosses);
        }
        startOn(run, "a", "w3", at(300));

        Decision d = decider.workerLost(run, "w3", at(350));

        assertEquals(FAILED, a.status);
        assertEquals(3, a.workerLosses);
        assertEquals("WORKER_LOST", a.errorCode);
        assertEquals("worker w3 was lost (3 workers lost for this step)", a.errorMessage);
        assertEquals(at(350), a.completedAt);
        assertEquals(List.of("w3"), d.releasedWorkers);
        assertEquals(List.of("pipeline.step.failed:a", "pipeline.run.failed"), typesAndSteps(d));
        assertEquals(RunStatus.FAILED, run.status);
    }

    @Test
    void workerLostFailureFollowsTheRetryPolicy() {
        RunState run = newRun(3, false, step("a").retries(2, 15));
        decider.start(run, NOW);
        StepState a = run.step("a");
        for (int loss = 1; loss <= 2; loss++) {
            startOn(run, "a", "w1", at(loss * 100));
            decider.workerLost(run, "w1", at(loss * 100 + 50));
        }
        startOn(run, "a", "w1", at(300));

        Decision d = decider.workerLost(run, "w1", at(350));

        assertEquals(QUEUED, a.status);
        assertEquals(2, a.attempt);
        assertEquals("WORKER_LOST", a.errorCode);
        assertEquals(at(365), a.nextAttemptAt);
        assertEquals(List.of("pipeline.step.retrying:a"), typesAndSteps(d));
        assertEquals(RunStatus.RUNNING, run.status);
    }

    @Test
    void queueTimeoutAfterALostWorkerCountsFromTheLoss() {
        // a long step: queued and started at once, runs for 20 minutes, then its worker disappears
        RunState run = newRun(3, false, step("a").timeout(3600).retries(3, 10));
        decider.start(run, NOW);
        StepState a = run.step("a");
        startOn(run, "a", "w1", NOW);
        decider.workerLost(run, "w1", at(1200));
        assertEquals(QUEUED, a.status);

        // one minute later no other worker has been found yet
        Decision d = decider.tick(run, at(1260));

        // A re-dispatched step waits for a new worker from the moment it was re-queued: it has waited
        // 1 minute of the 10m queue timeout, so it must still be queued.
        assertEquals(QUEUED, a.status, "waited 1m for a new worker, queue timeout is 10m; got " + a.errorCode);
        assertNull(a.errorCode);
        assertEquals(List.of(), d.events);
    }

    // ================================================================== fail_fast

    @Test
    void failFastCancelsEverythingOpenOnTheFirstFinalFailure() {
        RunState run = newRun(4, true,
                step("a"), step("b"), step("c"), step("d").dependsOn("a"), step("e"), step("f"));
        decider.start(run, NOW);
        // a running on w1, b running on w2, c dispatched to w3 but not acknowledged, e queued, f pending (no slot)
        assertEquals(Map.of("a", QUEUED, "b", QUEUED, "c", QUEUED, "d", PENDING, "e", QUEUED, "f", PENDING),
                statuses(run));
        startOn(run, "a", "w1", NOW);
        startOn(run, "b", "w2", NOW);
        UUID cmdB = run.step("b").commandId;
        UUID cmdC = dispatch(run.step("c"), "w3", NOW);

        Decision d = decider.onResult(run, failed(run.step("a"), "TOOL_FAILED", "boom"), at(30));

        assertEquals(FAILED, run.step("a").status);
        for (String key : List.of("b", "c", "d", "e", "f")) {
            StepState s = run.step(key);
            assertEquals(CANCELLED, s.status, key);
            assertEquals("CANCELLED", s.errorCode, key);
            assertEquals("fail_fast: step 'a' failed", s.errorMessage, key);
            assertEquals(at(30), s.completedAt, key);
        }
        assertEquals(List.of(new CancelOrder("b", cmdB, "w2"), new CancelOrder("c", cmdC, "w3")), d.cancels);
        assertEquals(List.of("w1", "w2", "w3"), d.releasedWorkers);
        assertEquals(List.of("pipeline.step.failed:a", "pipeline.step.cancelled:b", "pipeline.step.cancelled:c",
                "pipeline.step.cancelled:d", "pipeline.step.cancelled:e", "pipeline.step.cancelled:f",
                "pipeline.run.failed"), typesAndSteps(d));
        assertEquals(RunStatus.FAILED, run.status);
        assertEquals("fail_fast: step 'a' failed", run.errorMessage);
        assertEquals(at(30), run.completedAt);
        assertEquals("failed", d.events.get(d.events.size() - 1).data().get("status"));

        // later results of the cancelled commands change nothing
        String before = snapshot(run);
        Decision late = decider.onResult(run, completed(run.step("b"), 1, Map.of(), Map.of()), at(40));
        assertEquals("duplicate", late.ignored());
        assertEquals(before, snapshot(run));
    }

    @Test
    void withoutFailFastOtherBranchesGoOnAndTheRunFailsAtTheEnd() {
        RunState run = fullScan(WEB_APP);
        decider.start(run, NOW);
        startOn(run, "sca", "w2", NOW);
        startOn(run, "secrets", "w3", NOW);

        Decision d1 = fail(run, "sast", "w1", at(100));

        assertEquals(FAILED, run.step("sast").status);
        assertEquals(List.of("pipeline.step.failed:sast"), typesAndSteps(d1));
        assertEquals(List.of(), d1.cancels);
        assertEquals(RUNNING, run.step("sca").status);
        assertEquals(RUNNING, run.step("secrets").status);
        assertEquals(PENDING, run.step("dast").status, "dast waits until all its dependencies are terminal");
        assertEquals(RunStatus.RUNNING, run.status);

        Decision d2 = decider.onResult(run, completed(run.step("sca"), 4, Map.of("high", 4), Map.of()), at(200));
        assertEquals(List.of("pipeline.step.completed:sca"), typesAndSteps(d2));
        assertEquals(RunStatus.RUNNING, run.status);

        Decision d3 = decider.onResult(run, completed(run.step("secrets"), 1, Map.of("low", 1), Map.of()), at(300));

        assertEquals(SKIPPED, run.step("dast").status);
        assertEquals("Dependency 'sast' failed", run.step("dast").skipReason);
        assertEquals("dependency", run.step("dast").skipKind);
        assertEquals(List.of("pipeline.step.completed:secrets", "pipeline.step.skipped:dast", "pipeline.run.failed"),
                typesAndSteps(d3));
        assertEquals(RunStatus.FAILED, run.status);
        assertEquals(at(300), run.completedAt);
        assertEquals("steps failed: sast", run.errorMessage);
        Map<String, Object> summary = d3.events.get(2).data();
        assertEquals(5, summary.get("total_steps"));
        assertEquals(2, summary.get("completed_steps"));
        assertEquals(1, summary.get("failed_steps"));
        assertEquals(2, summary.get("skipped_steps"));
        assertEquals(5, summary.get("total_findings"));
    }

    // ================================================================== run completion

    @Test
    void runCompletesWhenNoStepFailedAndSaysSoExactlyOnce() {
        RunState run = fullScan(REPOSITORY);
        List<Decision> all = new ArrayList<>();
        all.add(decider.start(run, NOW));
        assertEquals(SKIPPED, run.step("infra").status);

        all.add(complete(run, "sast", "w1", at(10)));
        all.add(complete(run, "sca", "w2", at(20)));
        assertEquals(RunStatus.RUNNING, run.status);
        Decision last = complete(run, "secrets", "w3", at(30));
        all.add(last);

        assertEquals(RunStatus.COMPLETED, run.status);
        assertEquals(at(30), run.completedAt);
        assertNull(run.errorMessage);
        assertEquals(SKIPPED, run.step("dast").status);
        assertEquals(List.of("pipeline.step.completed:secrets", "pipeline.step.skipped:dast", "pipeline.run.completed"),
                typesAndSteps(last));
        Map<String, Object> summary = last.events.get(2).data();
        assertEquals("completed", summary.get("status"));
        assertEquals(3, summary.get("completed_steps"));
        assertEquals(2, summary.get("skipped_steps"));
        assertEquals(0, summary.get("failed_steps"));

        // nothing more happens to a finished run
        all.add(decider.tick(run, at(5000)));
        all.add(decider.onResult(run, completed(run.step("sast"), 0, Map.of(), Map.of()), at(5001)));
        all.add(decider.workerLost(run, "w1", at(5002)));
        all.add(decider.cancel(run, at(5003)));
        assertEquals(RunStatus.COMPLETED, run.status);
        assertEquals(at(30), run.completedAt);

        long completedEvents = all.stream().flatMap(d -> d.events.stream())
                .filter(e -> e.type().startsWith("pipeline.run.") && !e.type().equals("pipeline.run.started")).count();
        assertEquals(1, completedEvents);
    }

    @Test
    void runFailsWhenAStepTimedOutAndSaysSoExactlyOnce() {
        RunState run = newRun(3, false, step("a").timeout(60), step("b"));
        List<Decision> all = new ArrayList<>();
        all.add(decider.start(run, NOW));
        all.add(startOn(run, "a", "w1", NOW));
        all.add(complete(run, "b", "w2", at(10)));
        assertEquals(RunStatus.RUNNING, run.status);

        all.add(decider.tick(run, at(60)));
        all.add(decider.tick(run, at(61)));
        all.add(decider.tick(run, at(7200)));

        assertEquals(RunStatus.FAILED, run.status);
        assertEquals(at(60), run.completedAt);
        assertEquals("steps failed: a", run.errorMessage);
        assertEquals(List.of("pipeline.run.failed"), all.stream().flatMap(d -> d.events.stream())
                .map(Decision.Event::type).filter(t -> t.startsWith("pipeline.run.") && !t.endsWith(".started")).toList());
    }

    // ================================================================== run timeout

    @Test
    void runPastItsDeadlineTimesOut() {
        // deadline after 5 minutes: before b's queue timeout (10m) and a's step timeout (2h)
        RunState run = newRun(WEB_APP, 2, false, at(300),
                step("a").timeout(7200), step("b"), step("c").dependsOn("a"), step("d"));
        decider.start(run, NOW);
        StepState a = run.step("a");
        startOn(run, "a", "w1", NOW);
        UUID cmd = a.commandId;
        // b queued, not dispatched; c and d pending

        assertNothingHappened(decider.tick(run, at(299)));
        assertEquals(RunStatus.RUNNING, run.status);

        Decision d = decider.tick(run, at(300));

        assertEquals(RunStatus.TIMEOUT, run.status);
        assertEquals(at(300), run.completedAt);
        assertEquals("the run did not finish within its timeout", run.errorMessage);
        for (String key : List.of("a", "b", "c", "d")) {
            assertEquals(CANCELLED, run.step(key).status, key);
            assertEquals("CANCELLED", run.step(key).errorCode, key);
            assertEquals("the run timed out", run.step(key).errorMessage, key);
            assertEquals(at(300), run.step(key).completedAt, key);
        }
        assertEquals(List.of(new CancelOrder("a", cmd, "w1")), d.cancels);
        assertEquals(List.of("w1"), d.releasedWorkers);
        assertEquals(List.of("pipeline.step.cancelled:a", "pipeline.step.cancelled:b", "pipeline.step.cancelled:c",
                "pipeline.step.cancelled:d", "pipeline.run.timeout"), typesAndSteps(d));
        assertEquals("timeout", d.events.get(4).data().get("status"));

        assertNothingHappened(decider.tick(run, at(400)));
        assertEquals(RunStatus.TIMEOUT, run.status);
    }

    // ================================================================== cancel

    @Test
    void cancelClosesEveryOpenStepAndTellsTheWorkers() {
        RunState run = newRun(3, false, step("a"), step("b"), step("c"), step("d"), step("done"));
        // admission in order: a, b, c take the three slots; d gets c's slot once c completes
        decider.start(run, NOW);
        complete(run, "c", "w9", at(1));
        assertEquals(QUEUED, run.step("d").status);
        startOn(run, "a", "w1", at(2));
        UUID cmdA = run.step("a").commandId;
        UUID cmdB = dispatch(run.step("b"), "w2", at(2));
        // a running, b dispatched, c completed, d queued without a command, done pending

        Decision d = decider.cancel(run, at(100));

        assertEquals(RunStatus.CANCELLED, run.status);
        assertEquals(at(100), run.completedAt);
        assertEquals(Map.of("a", CANCELLED, "b", CANCELLED, "c", COMPLETED, "d", CANCELLED, "done", CANCELLED),
                statuses(run));
        assertEquals("the run was cancelled", run.step("a").errorMessage);
        assertEquals("CANCELLED", run.step("done").errorCode);
        assertEquals(List.of(new CancelOrder("a", cmdA, "w1"), new CancelOrder("b", cmdB, "w2")), d.cancels);
        assertEquals(List.of("w1", "w2"), d.releasedWorkers);
        assertEquals(List.of("pipeline.step.cancelled:a", "pipeline.step.cancelled:b", "pipeline.step.cancelled:d",
                "pipeline.step.cancelled:done", "pipeline.run.cancelled"), typesAndSteps(d));
    }

    @Test
    void cancelOfAPendingRun() {
        RunState run = newRun(3, false, step("a"));
        Decision d = decider.cancel(run, NOW);
        assertEquals(RunStatus.CANCELLED, run.status);
        assertEquals(CANCELLED, run.step("a").status);
        assertEquals(List.of("pipeline.step.cancelled", "pipeline.run.cancelled"), types(d));
    }

    @Test
    void cancelOfATerminalRunChangesNothing() {
        RunState run = newRun(3, false, step("a"));
        decider.start(run, NOW);
        complete(run, "a", "w1", at(10));
        assertEquals(RunStatus.COMPLETED, run.status);
        String before = snapshot(run);

        Decision d = decider.cancel(run, at(20));

        assertNothingHappened(d);
        assertNull(d.ignored());
        assertEquals(before, snapshot(run));

        RunState failed = newRun(3, false, step("a"));
        decider.start(failed, NOW);
        fail(failed, "a", "w1", at(10));
        String failedBefore = snapshot(failed);
        assertNothingHappened(decider.cancel(failed, at(20)));
        assertEquals(failedBefore, snapshot(failed));
    }

    // ================================================================== manual retry

    @Test
    void retryRestartsFailedAndDependencySkippedStepsOnly() {
        RunState run = fullScan(WEB_APP);
        decider.start(run, NOW);
        complete(run, "sca", "w2", at(10));
        complete(run, "secrets", "w3", at(10));
        fail(run, "sast", "w1", at(20));
        assertEquals(RunStatus.FAILED, run.status);
        assertEquals(SKIPPED, run.step("dast").status);
        assertEquals("dependency", run.step("dast").skipKind);
        String scaBefore = snapshot(run).split("\n")[2];
        String secretsBefore = snapshot(run).split("\n")[3];
        String infraBefore = snapshot(run).split("\n")[5];

        Decision d = decider.retry(run, at(1000));

        assertEquals(RunStatus.RUNNING, run.status);
        assertNull(run.completedAt);
        assertNull(run.errorMessage);
        assertEquals(List.of("pipeline.run.started"), types(d));
        assertEquals(Boolean.TRUE, d.events.get(0).data().get("retry"));

        StepState sast = run.step("sast");
        assertEquals(QUEUED, sast.status);
        assertEquals(1, sast.attempt);
        assertEquals(at(1000), sast.queuedAt);
        assertNull(sast.commandId);
        assertNull(sast.workerId);
        assertNull(sast.errorCode);
        assertNull(sast.errorMessage);
        assertNull(sast.startedAt);
        assertNull(sast.completedAt);
        assertNull(sast.nextAttemptAt);

        StepState dast = run.step("dast");
        assertEquals(PENDING, dast.status, "waits for sast again");
        assertEquals(0, dast.attempt);
        assertNull(dast.skipReason);
        assertNull(dast.skipKind);
        assertNull(dast.completedAt);

        assertEquals(scaBefore, snapshot(run).split("\n")[2], "completed sca untouched");
        assertEquals(secretsBefore, snapshot(run).split("\n")[3], "completed secrets untouched");
        assertEquals(infraBefore, snapshot(run).split("\n")[5], "condition-skipped infra untouched");

        complete(run, "sast", "w1", at(1100));
        assertEquals(QUEUED, dast.status);
        assertEquals(1, dast.attempt);
        Decision end = complete(run, "dast", "w4", at(1200));
        assertEquals(RunStatus.COMPLETED, run.status);
        assertEquals(at(1200), run.completedAt);
        assertEquals("pipeline.run.completed", end.events.get(end.events.size() - 1).type());
    }

    @Test
    void retryRestartsTimedOutAndCancelledSteps() {
        RunState run = newRun(WEB_APP, 2, true, null, step("a"), step("b"), step("c").dependsOn("b"));
        decider.start(run, NOW);
        startOn(run, "b", "w2", NOW);
        decider.tick(run, at(600)); // a never found a worker: NO_WORKER, fail_fast cancels b and c
        assertEquals(Map.of("a", TIMEOUT, "b", CANCELLED, "c", CANCELLED), statuses(run));
        assertEquals(RunStatus.FAILED, run.status);

        decider.retry(run, at(700));

        assertEquals(RunStatus.RUNNING, run.status);
        assertEquals(Map.of("a", QUEUED, "b", QUEUED, "c", PENDING), statuses(run));
        for (String key : List.of("a", "b")) {
            assertEquals(1, run.step(key).attempt, key);
            assertEquals(at(700), run.step(key).queuedAt, key);
            assertNull(run.step(key).errorCode, key);
            assertNull(run.step(key).workerId, key);
            assertNull(run.step(key).commandId, key);
        }
        assertEquals(0, run.step("c").attempt);
    }

    @Test
    void retryOfACompletedRunIsRefused() {
        RunState run = newRun(3, false, step("a"));
        decider.start(run, NOW);
        complete(run, "a", "w1", at(1));
        assertThrows(IllegalTransitionException.class, () -> decider.retry(run, at(2)));
        assertEquals(RunStatus.COMPLETED, run.status);
        assertEquals(COMPLETED, run.step("a").status);
    }

    @Test
    void retryOfARunningRunIsRefusedWithoutChangingIt() {
        RunState run = newRun(3, false, step("a"), step("b"));
        decider.start(run, NOW);
        startOn(run, "b", "w2", NOW);
        fail(run, "a", "w1", at(10));
        assertEquals(FAILED, run.step("a").status);
        assertEquals(RunStatus.RUNNING, run.status, "b is still running");
        String before = snapshot(run);

        assertThrows(IllegalTransitionException.class, () -> decider.retry(run, at(20)));

        // A refused retry leaves every step as it was: an illegal transition is never half applied.
        assertEquals(before, snapshot(run), "a refused retry must leave the run as it was");
    }

    // ================================================================== the seed scenario

    @Test
    void fullSecurityScanOfAWebApplication() {
        RunState run = fullScan(WEB_APP);

        Decision start = decider.start(run, NOW);

        assertEquals(Map.of("sast", QUEUED, "sca", QUEUED, "secrets", QUEUED, "dast", PENDING, "infra", SKIPPED),
                statuses(run));
        assertEquals(List.of("pipeline.run.started", "pipeline.step.skipped:infra"), typesAndSteps(start));
        StepState infra = run.step("infra");
        assertEquals("Condition not met: " + INFRA_CEL, infra.skipReason);
        assertEquals("condition", infra.skipKind);
        assertEquals(Boolean.FALSE, infra.conditionResult);
        for (String key : List.of("sast", "sca", "secrets")) {
            assertEquals(NOW, run.step(key).queuedAt, key);
            dispatch(run.step(key), "w-" + key, at(1));
            assertNull(decider.onResult(run, report(run.step(key), "running"), at(2)).ignored());
        }

        decider.onResult(run, completed(run.step("sast"), 3, Map.of("medium", 3), Map.of()), at(100));
        assertEquals(PENDING, run.step("dast").status);
        decider.onResult(run, completed(run.step("secrets"), 0, Map.of(), Map.of()), at(200));
        assertEquals(PENDING, run.step("dast").status);
        Decision third = decider.onResult(run, completed(run.step("sca"), 2, Map.of("high", 2), Map.of()), at(300));

        StepState dast = run.step("dast");
        assertEquals(QUEUED, dast.status);
        assertEquals(Boolean.TRUE, dast.conditionResult);
        assertEquals(1, dast.attempt);
        assertEquals(at(300), dast.queuedAt);
        assertEquals(List.of("pipeline.step.completed:sca"), typesAndSteps(third));
        assertEquals(List.of("w-sca"), third.releasedWorkers);

        dispatch(dast, "w-dast", at(301));
        decider.onResult(run, report(dast, "running"), at(302));
        Decision end = decider.onResult(run, completed(dast, 4, Map.of("critical", 1, "high", 3), Map.of()), at(900));

        assertEquals(RunStatus.COMPLETED, run.status);
        assertEquals(at(900), run.completedAt);
        assertEquals(List.of("pipeline.step.completed:dast", "pipeline.run.completed"), typesAndSteps(end));
        assertEquals(9, end.events.get(1).data().get("total_findings"));
        assertEquals(9, run.totalFindings());
    }

    @Test
    void fullSecurityScanOfARepositorySkipsDast() {
        RunState run = fullScan(REPOSITORY);
        decider.start(run, NOW);
        assertEquals(Map.of("sast", QUEUED, "sca", QUEUED, "secrets", QUEUED, "dast", PENDING, "infra", SKIPPED),
                statuses(run));

        complete(run, "sast", "w1", at(10));
        complete(run, "sca", "w2", at(10));
        Decision last = complete(run, "secrets", "w3", at(10));

        StepState dast = run.step("dast");
        assertEquals(SKIPPED, dast.status);
        assertEquals("Condition not met: " + DAST_CEL, dast.skipReason);
        assertEquals("condition", dast.skipKind);
        assertEquals(Boolean.TRUE, dast.conditionEvaluated);
        assertEquals(Boolean.FALSE, dast.conditionResult);
        assertEquals(0, dast.attempt);
        assertEquals(RunStatus.COMPLETED, run.status);
        assertEquals(List.of("pipeline.step.completed:secrets", "pipeline.step.skipped:dast", "pipeline.run.completed"),
                typesAndSteps(last));
    }

    // ================================================================== scope

    @Test
    void aStepOutOfScopeIsSkippedWithTheRuleAndItsDependentsGoOn() {
        scope.put("b", ScopeCheck.Verdict.block("excluded", "10.20.5.7 is in excluded_targets 10.20.5.0/24"));
        RunState run = newRun(10, false, step("a"), step("b"), step("c").dependsOn("b"));

        Decision d = decider.start(run, NOW);

        StepState b = run.step("b");
        assertEquals(SKIPPED, b.status);
        assertEquals("OUT_OF_SCOPE: 10.20.5.7 is in excluded_targets 10.20.5.0/24", b.skipReason);
        assertEquals("scope", b.skipKind);
        assertEquals(0, b.attempt, "never queued");
        assertEquals(List.of("excluded"), d.scopeRefusals);
        assertEquals("OUT_OF_SCOPE: 10.20.5.7 is in excluded_targets 10.20.5.0/24",
                event(d, "pipeline.step.skipped", "b").data().get("skip_reason"));
        assertEquals(QUEUED, run.step("a").status);
        assertEquals(QUEUED, run.step("c").status, "a skipped dependency satisfies its dependents");
        assertEquals(List.of("a", "b", "c"), scopeChecks, "each step once");
    }

    @Test
    void aHeldStepWaitsQueuedWithItsReasonAndGoesWhenAllowedWithItsQueueTimeoutFromTheEndOfTheWait() {
        scope.put("a", ScopeCheck.Verdict.waitUntil("blackout window '0 9 * * 1-5' for 8h (Europe/Berlin)", at(3600)));
        RunState run = newRun(10, false, step("a"));
        decider.start(run, NOW);
        StepState a = run.step("a");
        assertEquals(QUEUED, a.status);
        assertEquals(1, a.attempt);
        assertEquals(at(3600), a.nextAttemptAt);
        assertEquals("blackout window '0 9 * * 1-5' for 8h (Europe/Berlin)", a.waitReason);
        assertFalse(a.awaitingDispatch(at(3599)), "not given to a worker while held");

        scopeChecks.clear();
        decider.tick(run, at(600));
        assertEquals(QUEUED, a.status, "the wait is not time spent waiting for a worker");
        decider.tick(run, at(1800));
        assertEquals(List.of(), scopeChecks, "not checked again before the time it named");

        scope.remove("a");
        decider.tick(run, at(3600));
        assertEquals(List.of("a"), scopeChecks);
        assertNull(a.waitReason);
        assertTrue(a.awaitingDispatch(at(3600)));
        assertEquals(at(3600), a.nextAttemptAt, "kept: the queue timeout counts from here");
        decider.tick(run, at(3600 + 599));
        assertEquals(QUEUED, a.status);
        decider.tick(run, at(3600 + 600));
        assertEquals(TIMEOUT, a.status);
        assertEquals("NO_WORKER", a.errorCode);
    }

    @Test
    void aQueuedStepIsCheckedAgainBeforeItGoesToAWorkerAndARefusalFreesItsSlot() {
        RunState run = newRun(1, false, step("a"), step("b"));
        decider.start(run, NOW);
        assertEquals(QUEUED, run.step("a").status);
        assertEquals(PENDING, run.step("b").status, "one step at a time");

        // the policy changed while a waited for a worker
        scope.put("a", ScopeCheck.Verdict.block("not_allowed", "db.example.com is not in allowed_targets"));
        Decision d = decider.tick(run, at(5));

        assertEquals(SKIPPED, run.step("a").status);
        assertEquals("OUT_OF_SCOPE: db.example.com is not in allowed_targets", run.step("a").skipReason);
        assertEquals(List.of("not_allowed"), d.scopeRefusals);
        assertEquals(QUEUED, run.step("b").status, "the slot went to the next step");

        // a step a worker holds is not checked again
        StepState b = run.step("b");
        dispatch(b, "w1", at(6));
        scope.put("b", ScopeCheck.Verdict.block("excluded", "x"));
        scopeChecks.clear();
        decider.onResult(run, report(b, "running"), at(7));
        assertEquals(RUNNING, b.status);
        assertEquals(List.of(), scopeChecks);
    }

    @Test
    void aRetryAfterTheScanPolicyChangedChecksEveryStepAgain() {
        RunState run = newRun(10, false, step("a"), step("b"));
        scope.put("b", ScopeCheck.Verdict.block("excluded", "the old rule"));
        decider.start(run, NOW);
        fail(run, "a", "w1", at(10));
        assertEquals(RunStatus.FAILED, run.status);
        assertEquals(SKIPPED, run.step("b").status);

        scope.put("a", ScopeCheck.Verdict.block("not_allowed", "now out of scope"));
        scope.remove("b");
        Decision d = decider.retry(run, at(100));

        assertEquals(SKIPPED, run.step("a").status);
        assertEquals("OUT_OF_SCOPE: now out of scope", run.step("a").skipReason);
        assertEquals(QUEUED, run.step("b").status, "a scope refusal is checked again on retry");
        assertEquals(List.of("not_allowed"), d.scopeRefusals);
    }
}
