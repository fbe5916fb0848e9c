package dev.scanflow.run;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.awaitStep;
import static dev.scanflow.support.Runs.template;
import static dev.scanflow.support.Runs.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.support.Api;
import dev.scanflow.support.Runs;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs end to end: the real service, PostgreSQL and NATS, and workers speaking the protocol. */
@QuarkusTest
class EngineTest {

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);
    private final List<TestWorker> workers = new ArrayList<>();

    @AfterEach
    void stopWorkers() throws Exception {
        for (TestWorker w : workers) {
            w.close();
        }
    }

    private TestWorker worker(String capability, String tool) throws Exception {
        TestWorker w = TestWorker.dedicated(tenant, capability, tool);
        workers.add(w);
        return w;
    }

    private static Instant at(JsonPath step, String field) {
        return Instant.parse(step.getString(field));
    }

    private static JsonPath step(JsonPath run, String id) {
        return new JsonPath(run.prettify()).setRootPath("step_runs.find { it.step_id == '" + id + "' }");
    }

    // ------------------------------------------------------------------ the seed

    @Test
    void seedTemplateOnAWebApplication() throws Exception {
        for (String[] c : new String[][] {{"sast", "semgrep"}, {"sca", "trivy"}, {"secrets", "gitleaks"}, {"dast", "nuclei"}}) {
            worker(c[0], c[1]).onScan((w, cmd) -> w.complete(cmd, 2, Map.of("tool", c[1])));
        }
        String pipeline = template(admin, Api.seedTemplate("seed-web"));
        String asset = asset(admin, "web_application", "shop", "https://shop.example.com");
        String runId = Runs.triggerWith(admin, pipeline, "{\"asset_id\":\"" + asset + "\",\"context\":{\"branch\":\"main\"},"
                + "\"priority\":\"high\"}");

        JsonPath run = awaitRun(admin, runId, "completed");
        assertEquals("manual", run.getString("trigger_type"));
        assertEquals("user:user-admin", run.getString("triggered_by"));
        assertEquals("high", run.getString("priority"));
        assertEquals("user-admin", run.getString("context.user"));
        assertEquals(1, run.getInt("pipeline_version"));
        assertEquals(5, run.getInt("total_steps"));
        assertEquals(4, run.getInt("completed_steps"));
        assertEquals(1, run.getInt("skipped_steps"));
        assertEquals(0, run.getInt("failed_steps"));
        assertEquals(8, run.getInt("total_findings"));

        JsonPath sast = step(run, "sast");
        JsonPath sca = step(run, "sca");
        JsonPath secrets = step(run, "secrets");
        JsonPath dast = step(run, "dast");
        JsonPath infra = step(run, "infra");
        // the three independent steps were queued together, in the decision that started the run
        assertEquals(sast.getString("queued_at"), sca.getString("queued_at"));
        assertEquals(sast.getString("queued_at"), secrets.getString("queued_at"));
        // dast started only after all three completed
        for (JsonPath before : List.of(sast, sca, secrets)) {
            assertFalse(at(dast, "queued_at").isBefore(at(before, "completed_at")));
        }
        assertEquals(true, dast.getBoolean("condition_evaluated"));
        assertEquals(true, dast.getBoolean("condition_result"));
        assertEquals("skipped", infra.getString("status"));
        assertEquals(false, infra.getBoolean("condition_result"));
        assertEquals("Condition not met: asset.type in ['server', 'network']", infra.getString("skip_reason"));
        assertEquals(2, sast.getInt("findings_count"));
        assertEquals(2, sast.getInt("findings_by_severity.high"));
        assertEquals("semgrep", sast.getString("output.tool"));
        assertEquals(1, sast.getInt("attempt"));
        assertEquals(1, sast.getInt("max_attempts") - 1, "max_attempts = 1 + retry_failed_steps (1)");
        assertEquals(2, dast.getInt("max_attempts"), "dast: max_retries 1");
        assertNotNull(sast.getString("worker_id"));
        assertNotNull(sast.getString("command_id"));

        // the command carried what a worker needs
        // (this run's: the template's on_asset_discovery trigger may start another run on the new asset)
        JsonNode cmd = workers.get(0).commandsFor("sast").stream()
                .filter(c -> runId.equals(c.path("payload").path("pipeline_run_id").asText())).findFirst().orElseThrow();
        assertEquals("scan", cmd.path("type").asText());
        assertEquals("high", cmd.path("priority").asText());
        assertEquals(tenant.toString(), cmd.path("tenant_id").asText());
        assertEquals(1, cmd.path("attempt").asInt());
        assertEquals(1800, cmd.path("timeout_seconds").asInt());
        assertEquals(runId, cmd.path("payload").path("pipeline_run_id").asText());
        assertEquals("semgrep", cmd.path("payload").path("step_config").path("tool").asText());
        assertEquals("medium", cmd.path("payload").path("step_config").path("severity_threshold").asText());
        assertEquals("https://shop.example.com", cmd.path("payload").path("target").path("url").asText());
        assertEquals("main", cmd.path("payload").path("target").path("branch").asText());
        assertEquals(asset, cmd.path("payload").path("target").path("asset_id").asText());
        assertEquals("ris", cmd.path("payload").path("output").path("format").asText());

        // every state change left an event, in order
        List<String> types = as(admin).get("/api/v1/pipeline-runs/" + runId + "/history").jsonPath().getList("items.type");
        assertEquals("pipeline.run.started", types.get(0));
        assertEquals("pipeline.run.completed", types.get(types.size() - 1));
        assertEquals(4, types.stream().filter("pipeline.step.completed"::equals).count());
        assertEquals(1, types.stream().filter("pipeline.step.skipped"::equals).count());
    }

    @Test
    void seedTemplateOnARepositorySkipsTheDynamicScan() throws Exception {
        for (String c : List.of("sast", "sca", "secrets", "dast")) {
            worker(c, null);
        }
        String pipeline = template(admin, Api.seedTemplate("seed-repo"));
        String asset = asset(admin, "repository", "acme/api", "https://git.example.com/acme/api.git");
        JsonPath run = awaitRun(admin, trigger(admin, pipeline, asset), "completed");
        JsonPath dast = step(run, "dast");
        assertEquals("skipped", dast.getString("status"));
        assertEquals("Condition not met: asset.type == 'web_application' && asset.has_url", dast.getString("skip_reason"));
        assertEquals(3, run.getInt("completed_steps"));
        assertEquals(2, run.getInt("skipped_steps"));
        assertTrue(workers.get(3).commands().isEmpty(), "the dast worker got nothing");
    }

    @Test
    void workersAnsweringWithTheDocumentsWorkerResponseCompleteTheRun() throws Exception {
        // each worker reports exactly as the design document's "Worker Response": only
        // {command_id, status: completed, result: {findings_count, duration_ms, scan_id}}
        for (String[] c : new String[][] {{"sast", "semgrep"}, {"sca", "trivy"}, {"secrets", "gitleaks"},
                {"infra", "nmap"}}) {
            worker(c[0], c[1]).onScan((w, cmd) -> w.completeAsDocumented(cmd, 3));
        }
        String pipeline = template(admin, Api.seedTemplate("doc-response"));
        String asset = asset(admin, "server", "db-1", null);
        JsonPath run = awaitRun(admin, trigger(admin, pipeline, asset), "completed");
        assertEquals(4, run.getInt("completed_steps"));
        assertEquals(12, run.getInt("total_findings"));
        JsonPath infra = step(run, "infra");
        assertEquals("completed", infra.getString("status"));
        assertEquals("scan-infra", infra.getString("scan_id"));
        assertEquals(true, infra.getBoolean("condition_result"));
        JsonPath dast = step(run, "dast");
        assertEquals("skipped", dast.getString("status"));
        assertEquals(false, dast.getBoolean("condition_result"));
        assertEquals("Condition not met: asset.type == 'web_application' && asset.has_url", dast.getString("skip_reason"));

        // events carry the document's payload: event, timestamp, data {pipeline_run_id, pipeline_name,
        // step_id, step_name, status, findings_count, duration_seconds}
        List<Map<String, Object>> events = as(admin).get("/api/v1/pipeline-runs/" + run.getString("id") + "/history")
                .jsonPath().getList("items.payload");
        Map<String, Object> completed = events.stream()
                .filter(e -> "pipeline.step.completed".equals(e.get("event"))).findFirst().orElseThrow();
        assertNotNull(Instant.parse((String) completed.get("timestamp")));
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) completed.get("data");
        assertEquals(run.getString("id"), data.get("pipeline_run_id"));
        assertEquals("doc-response", data.get("pipeline_name"));
        assertNotNull(data.get("step_id"));
        assertNotNull(data.get("step_name"));
        assertEquals("completed", data.get("status"));
        assertEquals(3, data.get("findings_count"));
        assertTrue(data.get("duration_seconds") instanceof Integer, "duration_seconds: " + data);
        // the names of protocol 1.0 stay for one more version
        assertEquals(completed.get("event"), completed.get("type"));
        assertEquals(completed.get("timestamp"), completed.get("occurred_at"));
        Map<String, Object> runEnd = events.get(events.size() - 1);
        assertEquals("pipeline.run.completed", runEnd.get("event"));
        @SuppressWarnings("unchecked")
        Map<String, Object> runData = (Map<String, Object>) runEnd.get("data");
        assertEquals("doc-response", runData.get("pipeline_name"));
        assertEquals(12, runData.get("total_findings"));
        assertTrue(runData.containsKey("duration_seconds"));
    }

    @Test
    void aConditionOnAContextFieldTheRunDidNotSetIsFalseNotAnError() throws Exception {
        worker("ctx", null);
        String pipeline = template(admin, """
                name: context defaults
                steps:
                  - id: prod_only
                    capabilities: [ctx]
                    condition: {type: expression, value: "context.environment == 'prod'"}
                  - id: any_branch
                    capabilities: [ctx]
                    condition: {type: expression, value: "context.branch == '' || context.branch.startsWith('release/')"}
                """);
        JsonPath run = awaitRun(admin, trigger(admin, pipeline, asset(admin, "server", "ctx-host", null)), "completed");
        assertEquals("skipped", step(run, "prod_only").getString("status"));
        assertEquals("completed", step(run, "any_branch").getString("status"));
    }

    // ------------------------------------------------------------------ rules

    @Test
    void maxParallelStepsIsHonoured() throws Exception {
        Map<String, JsonNode> open = new ConcurrentHashMap<>();
        AtomicInteger peak = new AtomicInteger();
        TestWorker w = new TestWorker("w-par-" + UUID.randomUUID().toString().substring(0, 8), tenant,
                List.of("par"), List.of(), 10);
        workers.add(w);
        w.onScan((worker, cmd) -> {
            worker.running(cmd);
            open.put(cmd.path("id").asText(), cmd);
            peak.accumulateAndGet(open.size(), Math::max);
        });
        StringBuilder yaml = new StringBuilder("name: parallel\nsettings:\n  max_parallel_steps: 2\nsteps:\n");
        for (int i = 1; i <= 5; i++) {
            yaml.append("  - id: s").append(i).append("\n    capabilities: [par]\n");
        }
        String runId = trigger(admin, template(admin, yaml.toString()), asset(admin, "server", "srv", null));
        for (int done = 0; done < 5; done++) {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !open.isEmpty());
            Thread.onSpinWait();
            assertTrue(open.size() <= 2, "at most 2 at once, saw " + open.size());
            var first = open.entrySet().iterator().next();
            open.remove(first.getKey());
            w.complete(first.getValue(), 0, Map.of());
        }
        awaitRun(admin, runId, "completed");
        assertEquals(2, peak.get(), "two steps ran side by side, never more");
    }

    @Test
    void aLaterStepReadsTheOutputOfAnEarlierOne() throws Exception {
        worker("network", "nmap").onScan((w, cmd) -> w.complete(cmd, 2, Map.of("open_ports", List.of(22, 443))));
        worker("tls", "testssl");
        worker("web", null);
        String yaml = """
                name: outputs
                steps:
                  - id: ports
                    tool: nmap
                    capabilities: [network]
                  - id: tls
                    tool: testssl
                    capabilities: [tls]
                    depends_on: [ports]
                    condition: "443 in steps.ports.output.open_ports"
                  - id: web
                    capabilities: [web]
                    depends_on: [ports]
                    condition: {type: step_result, step: ports, check: "findings_count > 5"}
                """;
        JsonPath run = awaitRun(admin, trigger(admin, template(admin, yaml), asset(admin, "ip_address", "10.0.0.1", null)),
                "completed");
        assertEquals("completed", step(run, "tls").getString("status"));
        assertEquals("skipped", step(run, "web").getString("status"));
        assertEquals("Condition not met: steps.ports.findings_count > 5", step(run, "web").getString("skip_reason"));
    }

    @Test
    void failedAttemptsAreRetriedWithGrowingDelays() throws Exception {
        List<Instant> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
        worker("flaky", null).onScan((w, cmd) -> {
            attempts.add(Instant.now());
            if (cmd.path("attempt").asInt() < 3) {
                w.fail(cmd, "EXIT_1", "scanner crashed (attempt " + cmd.path("attempt").asInt() + ")");
            } else {
                w.complete(cmd, 1, Map.of());
            }
        });
        String yaml = "name: flaky\nsteps:\n  - id: scan\n    capabilities: [flaky]\n    max_retries: 2\n"
                + "    retry_delay_seconds: 1\n";
        String runId = trigger(admin, template(admin, yaml), asset(admin, "server", "flaky-host", null));
        JsonPath run = awaitRun(admin, runId, "completed");
        JsonPath scan = step(run, "scan");
        assertEquals(3, scan.getInt("attempt"));
        assertEquals(3, scan.getInt("max_attempts"));
        assertEquals(3, attempts.size());
        long first = Duration.between(attempts.get(0), attempts.get(1)).toMillis();
        long second = Duration.between(attempts.get(1), attempts.get(2)).toMillis();
        assertTrue(first >= 1000, "first retry after >= 1 s, was " + first);
        assertTrue(second >= 2000, "second retry after >= 2 s (doubled), was " + second);
        List<String> types = as(admin).get("/api/v1/pipeline-runs/" + runId + "/history").jsonPath().getList("items.type");
        assertEquals(2, types.stream().filter("pipeline.step.retrying"::equals).count());
        // each attempt was a new command
        assertEquals(3, workers.get(0).commands().stream().map(c -> c.path("id").asText()).distinct().count());
    }

    @Test
    void aStepWithoutResultTimesOutAndItsWorkerIsToldToCancel() throws Exception {
        TestWorker w = worker("slow", null).onScan((worker, cmd) -> worker.running(cmd));
        String yaml = "name: slow\nsteps:\n  - id: scan\n    capabilities: [slow]\n    timeout: 2s\n";
        JsonPath run = awaitRun(admin, trigger(admin, template(admin, yaml), asset(admin, "server", "slow", null)),
                "failed");
        JsonPath scan = step(run, "scan");
        assertEquals("timeout", scan.getString("status"));
        assertEquals("TIMEOUT", scan.getString("error_code"));
        assertTrue(Duration.between(at(scan, "started_at"), at(scan, "completed_at")).toMillis() >= 2000);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !w.cancels().isEmpty());
        assertEquals(w.commands().get(0).path("id").asText(), w.cancels().get(0).path("id").asText());
    }

    @Test
    void failFastCancelsTheOtherBranches() throws Exception {
        TestWorker slow = worker("long", null).onScan((w, cmd) -> w.running(cmd));
        TestWorker bad = worker("broken", null);
        bad.onScan((w, cmd) -> {
            w.fail(cmd, "EXIT_2", "boom");
        });
        String yaml = """
                name: fail-fast
                settings: {fail_fast: true}
                steps:
                  - id: long
                    capabilities: [long]
                  - id: broken
                    capabilities: [broken]
                  - id: after
                    capabilities: [long]
                    depends_on: [long]
                """;
        // the broken step must fail while the long one runs
        bad.onScan((w, cmd) -> {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !slow.commands().isEmpty());
            w.fail(cmd, "EXIT_2", "boom");
        });
        JsonPath run = awaitRun(admin, trigger(admin, template(admin, yaml), asset(admin, "server", "ff", null)), "failed");
        assertEquals("failed", step(run, "broken").getString("status"));
        assertEquals("cancelled", step(run, "long").getString("status"));
        assertEquals("cancelled", step(run, "after").getString("status"));
        assertTrue(run.getString("error_message").contains("fail_fast"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !slow.cancels().isEmpty());
    }

    @Test
    void withoutFailFastOtherBranchesGoOn() throws Exception {
        worker("good", null).onScan((w, cmd) -> w.complete(cmd, 0, Map.of()));
        worker("bad", null).onScan((w, cmd) -> w.fail(cmd, "EXIT_2", "boom"));
        String yaml = """
                name: no-fail-fast
                steps:
                  - id: bad
                    capabilities: [bad]
                  - id: blocked
                    capabilities: [good]
                    depends_on: [bad]
                  - id: good
                    capabilities: [good]
                  - id: good_after
                    capabilities: [good]
                    depends_on: [good]
                """;
        JsonPath run = awaitRun(admin, trigger(admin, template(admin, yaml), asset(admin, "server", "nff", null)), "failed");
        assertEquals("failed", step(run, "bad").getString("status"));
        assertEquals("EXIT_2", step(run, "bad").getString("error_code"));
        assertEquals("skipped", step(run, "blocked").getString("status"));
        assertEquals("Dependency 'bad' failed", step(run, "blocked").getString("skip_reason"));
        assertEquals("completed", step(run, "good").getString("status"));
        assertEquals("completed", step(run, "good_after").getString("status"));
    }

    @Test
    void cancelMidRunTellsWorkersAndIsIdempotent() throws Exception {
        TestWorker w = worker("hang", null).onScan((worker, cmd) -> worker.running(cmd));
        String yaml = "name: cancel-me\nsteps:\n  - id: a\n    capabilities: [hang]\n  - id: b\n    capabilities: [hang]\n"
                + "    depends_on: [a]\n";
        String runId = trigger(admin, template(admin, yaml), asset(admin, "server", "cancel", null));
        awaitStep(admin, runId, "a", "running");
        String operator = TestTokens.token(tenant, "operator");
        as(operator).post("/api/v1/pipeline-runs/" + runId + "/cancel").then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("cancelled"))
                .body("step_runs.status", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.equalTo("cancelled")));
        as(operator).post("/api/v1/pipeline-runs/" + runId + "/cancel").then().statusCode(200);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !w.cancels().isEmpty());
        // a late result from the worker changes nothing
        w.complete(w.commands().get(0), 3, Map.of());
        Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
                .until(() -> "cancelled".equals(Runs.run(admin, runId).getString("step_runs[0].status")));
        as(TestTokens.token(tenant, "viewer")).post("/api/v1/pipeline-runs/" + runId + "/cancel").then().statusCode(403);
    }

    @Test
    void retryRerunsFailedStepsAndWhatTheyBlocked() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        worker("once", null).onScan((w, cmd) -> {
            if (calls.incrementAndGet() == 1) {
                w.fail(cmd, "EXIT_1", "first time fails");
            } else {
                w.complete(cmd, 0, Map.of());
            }
        });
        worker("next", null);
        String yaml = """
                name: retry-me
                steps:
                  - id: first
                    capabilities: [once]
                  - id: second
                    capabilities: [next]
                    depends_on: [first]
                """;
        String runId = trigger(admin, template(admin, yaml), asset(admin, "server", "retry", null));
        JsonPath failed = awaitRun(admin, runId, "failed");
        assertEquals("skipped", step(failed, "second").getString("status"));
        as(admin).post("/api/v1/pipeline-runs/" + runId + "/retry").then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("running"));
        JsonPath run = awaitRun(admin, runId, "completed");
        assertEquals("completed", step(run, "first").getString("status"));
        assertEquals("completed", step(run, "second").getString("status"));
        assertNull(step(run, "first").getString("error_code"));
        as(admin).post("/api/v1/pipeline-runs/" + runId + "/retry").then().statusCode(409);
    }

    @Test
    void duplicateStaleAndSpoofedResultsAreIgnored() throws Exception {
        TestWorker w = worker("exact", null).onScan((worker, cmd) -> worker.running(cmd));
        TestWorker other = worker("exact2", null).onScan((worker, cmd) -> { });
        String yaml = "name: exact\nsteps:\n  - id: a\n    capabilities: [exact]\n";
        String runId = trigger(admin, template(admin, yaml), asset(admin, "server", "exact", null));
        JsonNode cmd = w.awaitCommand("a");
        awaitStep(admin, runId, "a", "running");
        String commandId = cmd.path("id").asText();

        // spoofed: another worker reports on its own subject, and on the right subject with a wrong body
        other.publish(other.subjects().result(other.id()), Map.of("command_id", commandId,
                "worker_id", other.id(), "status", "completed", "result", Map.of("findings_count", 99)));
        other.publish(w.subjects().result(w.id()), Map.of("command_id", commandId,
                "worker_id", other.id(), "status", "failed"));
        // unknown command, garbage, and the right report on a longer subject (not exactly the worker's)
        w.publish(w.subjects().result(w.id()), Map.of("command_id", UUID.randomUUID().toString(),
                "worker_id", w.id(), "status", "completed"));
        double invalidBefore = metric("scanflow_results_ignored_total", "invalid");
        w.publishDurably(TestWorker.PREFIX + ".results.evil." + w.id(), Map.of("command_id", commandId,
                "worker_id", w.id(), "status", "completed", "result", Map.of("findings_count", 77)));
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> metric("scanflow_results_ignored_total", "invalid") > invalidBefore);
        w.publish(w.subjects().result(w.id()), "not json at all");
        Awaitility.await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(10))
                .until(() -> "running".equals(Runs.run(admin, runId).getString("status")));

        // the real result, then a duplicate with other numbers
        w.complete(cmd, 5, Map.of());
        awaitRun(admin, runId, "completed");
        w.complete(cmd, 50, Map.of());
        Awaitility.await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(10))
                .until(() -> Runs.run(admin, runId).getInt("total_findings") == 5);
        assertEquals(5, Runs.run(admin, runId).getInt("step_runs[0].findings_count"));
        assertTrue(metric("scanflow_results_ignored_total", "spoofed") >= 2);
        assertTrue(metric("scanflow_results_ignored_total", "duplicate") >= 1);
    }

    @Test
    void aStepWaitsForAWorkerAndStartsWhenOneAppears() throws Exception {
        String yaml = "name: waits\nsteps:\n  - id: a\n    capabilities: [late]\n";
        String runId = trigger(admin, template(admin, yaml), asset(admin, "server", "waits", null));
        JsonPath queued = awaitStep(admin, runId, "a", "queued");
        assertNull(queued.getString("worker_id"));
        worker("late", null);
        awaitRun(admin, runId, "completed");
    }

    @Test
    void workerLogsAreReadable() throws Exception {
        worker("chatty", null).onScan((w, cmd) -> {
            w.running(cmd);
            for (int i = 1; i <= 3; i++) {
                w.log(cmd, i, "line " + i);
            }
            w.log(cmd, 2, "line 2 again");
            w.complete(cmd, 0, Map.of());
        });
        String yaml = "name: chatty\nsteps:\n  - id: talk\n    capabilities: [chatty]\n";
        String runId = trigger(admin, template(admin, yaml), asset(admin, "server", "chatty", null));
        awaitRun(admin, runId, "completed");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> as(admin)
                .get("/api/v1/pipeline-runs/" + runId + "/steps/talk/logs").jsonPath().getList("items").size() == 3);
        as(admin).get("/api/v1/pipeline-runs/" + runId + "/steps/talk/logs").then()
                .body("items.line", org.hamcrest.Matchers.contains("line 1", "line 2", "line 3"));
        as(admin).get("/api/v1/pipeline-runs/" + runId + "/steps/nope/logs").then().statusCode(404);
    }

    @Test
    void runsAreValidatedScopedAndListed() throws Exception {
        String pipeline = template(admin, "name: scoped\nsteps:\n  - id: a\n    capabilities: [none]\n");
        String asset = asset(admin, "server", "scoped", null);
        as(admin).contentType("application/json").body("{\"asset_id\":\"" + UUID.randomUUID() + "\"}")
                .post("/api/v1/pipelines/" + pipeline + "/run").then().statusCode(422)
                .body("errors[0].path", org.hamcrest.Matchers.equalTo("$.asset_id"));
        as(admin).contentType("application/json").body("{\"asset_id\":\"" + asset + "\",\"priority\":\"urgent\"}")
                .post("/api/v1/pipelines/" + pipeline + "/run").then().statusCode(422)
                .body("errors[0].path", org.hamcrest.Matchers.equalTo("$.priority"));
        as(admin).contentType("application/json").body("{\"asset\":\"x\"}")
                .post("/api/v1/pipelines/" + pipeline + "/run").then().statusCode(422);
        as(TestTokens.token(tenant, "viewer")).contentType("application/json").body("{\"asset_id\":\"" + asset + "\"}")
                .post("/api/v1/pipelines/" + pipeline + "/run").then().statusCode(403);

        String runId = trigger(admin, pipeline, asset);
        String other = TestTokens.admin(UUID.randomUUID());
        as(other).get("/api/v1/pipeline-runs/" + runId).then().statusCode(404);
        as(other).post("/api/v1/pipeline-runs/" + runId + "/cancel").then().statusCode(404);
        as(other).get("/api/v1/pipeline-runs").then().body("items", org.hamcrest.Matchers.empty());
        as(other).contentType("application/json").body("{\"asset_id\":\"" + asset + "\"}")
                .post("/api/v1/pipelines/" + pipeline + "/run").then().statusCode(404);

        as(admin).get("/api/v1/pipeline-runs?pipeline_id=" + pipeline).then().statusCode(200)
                .body("items.id", org.hamcrest.Matchers.contains(runId));
        as(admin).get("/api/v1/pipeline-runs?status=completed&pipeline_id=" + pipeline).then()
                .body("items", org.hamcrest.Matchers.empty());
        as(admin).get("/api/v1/pipeline-runs?asset_id=" + asset + "&from=2020-01-01T00:00:00Z").then()
                .body("items.id", org.hamcrest.Matchers.contains(runId));
        as(admin).get("/api/v1/pipeline-runs?to=2020-01-01T00:00:00Z").then().body("items", org.hamcrest.Matchers.empty());
        as(admin).get("/api/v1/pipeline-runs?status=bogus").then().statusCode(400);
        as(admin).get("/api/v1/pipeline-runs?from=yesterday").then().statusCode(400);

        as(admin).post("/api/v1/pipeline-runs/" + runId + "/cancel").then().statusCode(200);
        as(admin).delete("/api/v1/pipelines/" + pipeline).then().statusCode(204);
        as(admin).contentType("application/json").body("{\"asset_id\":\"" + asset + "\"}")
                .post("/api/v1/pipelines/" + pipeline + "/run").then().statusCode(409);
        as(admin).delete("/api/v1/assets/" + asset).then().statusCode(409);
    }

    @Test
    void editsNeverTouchARunInFlight() throws Exception {
        TestWorker w = worker("pin", null).onScan((worker, cmd) -> worker.running(cmd));
        String pipeline = template(admin, "name: pinned\nsteps:\n  - id: a\n    capabilities: [pin]\n    timeout: 10m\n");
        String runId = trigger(admin, pipeline, asset(admin, "server", "pinned", null));
        JsonNode cmd = w.awaitCommand("a");
        as(admin).contentType("application/json").body("{\"capabilities\":[\"pin\"],\"timeout\":\"20m\"}")
                .put("/api/v1/pipelines/" + pipeline + "/steps/a").then().statusCode(200);
        w.complete(cmd, 0, Map.of());
        JsonPath run = awaitRun(admin, runId, "completed");
        assertEquals(1, run.getInt("pipeline_version"));
        assertEquals(600, cmd.path("timeout_seconds").asInt());
    }

    static double metric(String name, String reason) {
        String text = io.restassured.RestAssured.get("/q/metrics").asString();
        return text.lines().filter(l -> l.startsWith(name + "{") && l.contains("reason=\"" + reason + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
