package dev.scanflow.run;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.run;
import static dev.scanflow.support.Runs.template;
import static dev.scanflow.support.Runs.trigger;
import static dev.scanflow.support.Runs.triggerWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Fair admission against the real PostgreSQL and NATS with protocol workers (docs/adr/0012):
 * a flooding tenant delays another by one dispatch pass at most, weights share shared workers,
 * a target's budget holds across tenants and reaches the command, run limits hold runs pending
 * with the reason and their place in line, priorities order dispatch, and a low run still goes.
 * Each test uses its own capability, so only its own workers take its steps.
 */
@QuarkusTest
class FairAdmissionTest {

    private static final String PLATFORM = TestTokens.token(UUID.randomUUID(), "platform-admin");

    private static String capability(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String oneStep(String admin, String name, String capability, String settings) {
        return template(admin, "name: " + name + "\nsteps:\n  - id: scan\n    capabilities: [" + capability + "]\n"
                + (settings == null ? "" : "settings:\n  " + settings + "\n"));
    }

    /** Triggers {@code n} runs, eight requests at a time. */
    private static List<String> flood(String admin, String pipeline, String asset, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> started = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                started.add(pool.submit(() -> trigger(admin, pipeline, asset)));
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> f : started) {
                ids.add(f.get());
            }
            return ids;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Queues 1,000 runs at once: 1,000 assets, then one fire of a schedule that covers them all
     * (one plan, one transaction); the run ids.
     */
    private static List<String> fireOnAThousandAssets(String admin, String capability) throws Exception {
        String tag = "flood-" + UUID.randomUUID().toString().substring(0, 8);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> created = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                int n = i;
                created.add(pool.submit(() -> as(admin).contentType(ContentType.JSON).body("{\"type\": \"server\", "
                        + "\"name\": \"" + tag + "-" + n + "\", \"tags\": [\"" + tag + "\"]}").post("/api/v1/assets")
                        .then().statusCode(201)));
            }
            for (Future<?> f : created) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        String pipeline = template(admin, "name: flood\ntriggers:\n  - type: schedule\n    name: flood\n"
                + "    cron: \"0 0 1 1 *\"\n    catchup: none\n    targets:\n      - tags: [" + tag + "]\n"
                + "steps:\n  - id: scan\n    capabilities: [" + capability + "]\n");
        List<String> runs = as(admin).post("/api/v1/pipelines/" + pipeline + "/schedules/flood/fire").then()
                .statusCode(200).extract().jsonPath().getList("run_ids", String.class);
        assertEquals(1000, runs.size());
        return runs;
    }

    private static void share(UUID tenant, Integer weight, Integer maxRuns) {
        String body = "{\"weight\": " + weight + ", \"max_concurrent_runs\": " + maxRuns + "}";
        as(PLATFORM).contentType(ContentType.JSON).body(body).put("/api/v1/tenants/" + tenant + "/share")
                .then().statusCode(200);
    }

    private static String tenantOf(JsonNode command) {
        return command.path("tenant_id").asText();
    }

    private static void awaitCommands(TestWorker worker, int n) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .alias(worker.id() + " receiving " + n + " commands").until(() -> worker.commands().size() >= n);
    }

    @Test
    void aTenantQueuingAThousandRunsDelaysAnotherByOneDispatchPassAtMost() throws Exception {
        UUID a = Api.newTenant();
        UUID b = Api.newTenant();
        String adminA = TestTokens.admin(a);
        String adminB = TestTokens.admin(b);
        String cap = capability("flood");
        try (TestWorker shared = new TestWorker("w-" + cap, null, List.of(cap), List.of(), 2)
                .onScan((w, cmd) -> w.running(cmd))) {
            List<String> flood = fireOnAThousandAssets(adminA, cap);
            awaitCommands(shared, 2);
            String runB = trigger(adminB, oneStep(adminB, "newcomer", cap, null), asset(adminB, "server", "newcomer", null));
            JsonPath waitingB = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> run(adminB, runB), r -> r.getString("step_runs[0].wait_reason") != null);
            assertEquals("queued", waitingB.getString("step_runs[0].status"));
            assertTrue(waitingB.getString("step_runs[0].wait_reason").startsWith("in line"), waitingB.prettify());
            assertEquals(1, waitingB.getInt("step_runs[0].queue_position"));
            // A's waiting runs each have their own place in A's line (all 998 of them queued at once)
            List<Integer> places = flood.subList(0, 40).stream().map(id -> run(adminA, id))
                    .filter(r -> r.get("step_runs[0].command_id") == null)
                    .map(r -> r.getInt("step_runs[0].queue_position")).toList();
            assertTrue(places.size() >= 38 && places.stream().distinct().count() == places.size()
                    && places.stream().allMatch(p -> p >= 1 && p <= 998), "A's places: " + places);

            // a slot frees: the very next command is B's, ahead of A's 998 older runs
            shared.complete(shared.commands().get(0), 0, Map.of());
            awaitCommands(shared, 3);
            assertEquals(b.toString(), tenantOf(shared.commands().get(2)));
            assertEquals(2, shared.commands().stream().filter(c -> tenantOf(c).equals(a.toString())).count());

            // and the flood drains: every run of A completes, none twice
            shared.onScan((w, cmd) -> w.complete(cmd, 0, Map.of()));
            shared.maxConcurrency(50);
            new ArrayList<>(shared.commands()).subList(1, 3).forEach(c -> shared.complete(c, 0, Map.of()));
            for (String id : List.of(flood.get(0), flood.get(500), flood.get(999))) {
                awaitRun(adminA, id, Duration.ofSeconds(120), "completed");
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> shared.commands().size() >= 1001);
            assertEquals(1001, shared.commands().stream().map(c -> c.path("payload").path("pipeline_run_id").asText())
                    .distinct().count());
        }
    }

    @Test
    void weightsThreeToOneGiveTheHeavierTenantThreeQuartersOfTheDispatches() throws Exception {
        UUID a = Api.newTenant();
        UUID b = Api.newTenant();
        String adminA = TestTokens.admin(a);
        String adminB = TestTokens.admin(b);
        String cap = capability("weights");
        List<JsonNode> held = new ArrayList<>();
        boolean[] released = {false};
        try (TestWorker shared = new TestWorker("w-" + cap, null, List.of(cap), List.of(), 4)
                .onScan((w, cmd) -> {
                    synchronized (held) {
                        if (!released[0]) {
                            w.running(cmd);
                            held.add(cmd);
                            return;
                        }
                    }
                    w.complete(cmd, 0, Map.of());
                })) {
            String pipelineA = oneStep(adminA, "heavy", cap, null);
            String pipelineB = oneStep(adminB, "light", cap, null);
            String assetA = asset(adminA, "server", "heavy", null);
            String assetB = asset(adminB, "server", "light", null);
            share(a, 3, null);
            share(b, 1, null);
            // both tenants saturated before anything completes
            List<String> runsA = flood(adminA, pipelineA, assetA, 330);
            flood(adminB, pipelineB, assetB, 170);
            synchronized (held) {
                released[0] = true;
            }
            held.forEach(c -> shared.complete(c, 0, Map.of()));
            awaitCommands(shared, 400);
            List<JsonNode> first = new ArrayList<>(shared.commands()).subList(0, 400);
            long ofA = first.stream().filter(c -> tenantOf(c).equals(a.toString())).count();
            assertTrue(ofA >= 280 && ofA <= 320, "A's share of 400 dispatches: " + ofA + " (75 % ± 5 is 280 to 320)");
            awaitCommands(shared, 500); // the rest drain: nothing is left waiting for the next test
            awaitRun(adminA, runsA.get(runsA.size() - 1), "completed");
        }
    }

    @Test
    void aTargetsBudgetHoldsAcrossTenantsAndItsRateReachesTheCommand() throws Exception {
        UUID a = Api.newTenant();
        UUID b = Api.newTenant();
        String adminA = TestTokens.admin(a);
        String adminB = TestTokens.admin(b);
        String host = "budget-" + UUID.randomUUID().toString().substring(0, 8) + ".example.com";
        // both give the host a budget of 1; each counts the other's steps on it
        for (String admin : List.of(adminA, adminB)) {
            as(admin).contentType(ContentType.JSON).body("{\"target_budgets\": [{\"target\": \"" + host
                    + "\", \"max_active_steps\": 1, \"requests_per_second\": 40}]}").put("/api/v1/scan-policy")
                    .then().statusCode(org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.is(200), org.hamcrest.Matchers.is(201)));
        }
        String cap = capability("budget");
        String yaml = "name: gentle\nsteps:\n  - id: scan\n    capabilities: [" + cap + "]\n    config:\n      rate_limit: 100\n";
        try (TestWorker shared = new TestWorker("w-" + cap, null, List.of(cap), List.of(), 4).onScan((w, cmd) -> w.running(cmd))) {
            String pipelineA = template(adminA, yaml);
            String pipelineB = template(adminB, yaml);
            String assetA = asset(adminA, "web_application", "shop-a", "https://" + host + "/a");
            String assetB = asset(adminB, "web_application", "shop-b", "https://" + host + "/b");
            List<String> runs = new ArrayList<>();
            List<String> admins = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                runs.add(trigger(adminA, pipelineA, assetA));
                admins.add(adminA);
                runs.add(trigger(adminB, pipelineB, assetB));
                admins.add(adminB);
            }
            for (int k = 0; k < 6; k++) {
                int done = k;
                awaitCommands(shared, done + 1);
                // one step on the host at a time, whatever the worker could take
                Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                        .until(() -> shared.commands().size() == done + 1);
                JsonNode cmd = shared.commands().get(done);
                assertEquals(host, cmd.path("payload").path("limits").path("target").asText());
                assertEquals(40, cmd.path("payload").path("limits").path("requests_per_second").asInt());
                assertEquals(40, cmd.path("payload").path("step_config").path("rate_limit").asInt());
                if (done < 5) {
                    // the others wait, saying why (a dispatch pass writes it)
                    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                        List<String> reasons = new ArrayList<>();
                        for (int i = 0; i < runs.size(); i++) {
                            JsonPath r = run(admins.get(i), runs.get(i));
                            if ("queued".equals(r.getString("step_runs[0].status")) && r.get("step_runs[0].command_id") == null) {
                                reasons.add(String.valueOf(r.getString("step_runs[0].wait_reason")));
                            }
                        }
                        return reasons.size() == 5 - done && reasons.stream().allMatch(x -> x.startsWith("budget: target "
                                + host + " allows 1 active step at once"));
                    });
                }
                shared.complete(cmd, 0, Map.of());
            }
            // the event log: no step on the host started before the previous one completed
            List<Instant[]> spans = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                awaitRun(admins.get(i), runs.get(i), "completed");
                spans.add(FairAdmissionAcrossReplicas.span(as(admins.get(i)), runs.get(i)));
            }
            FairAdmissionAcrossReplicas.assertNoOverlap(spans, "steps on " + host);
        }
    }

    @Test
    void runLimitsHoldRunsPendingInPriorityOrderAndSayWhy() throws Exception {
        UUID t = Api.newTenant();
        String admin = TestTokens.admin(t);
        String cap = capability("limits");
        try (TestWorker worker = new TestWorker("w-" + cap, t, List.of(cap), List.of(), 10).onScan((w, cmd) -> w.running(cmd))) {
            String pipeline = oneStep(admin, "limited", cap, "max_concurrent_runs: 2");
            String asset = asset(admin, "server", "limited", null);
            List<String> runs = Collections.synchronizedList(new ArrayList<>(flood(admin, pipeline, asset, 5)));
            awaitCommands(worker, 2);
            List<JsonPath> pending = runs.stream().map(id -> run(admin, id))
                    .filter(r -> "pending".equals(r.getString("status"))).toList();
            assertEquals(3, pending.size(), "two run, three wait");
            for (JsonPath r : pending) {
                assertTrue(r.getString("wait_reason").startsWith("limit: the pipeline has 2 of 2 runs running"), r.prettify());
            }
            assertEquals(List.of(1, 2, 3), pending.stream().map(r -> r.getInt("queue_position")).sorted().toList());
            // a critical run asked for now goes before the three that wait
            String urgent = triggerWith(admin, pipeline, "{\"asset_id\": \"" + asset + "\", \"priority\": \"critical\"}");
            assertEquals("pending", run(admin, urgent).getString("status"));
            assertEquals(1, run(admin, urgent).getInt("queue_position"));
            worker.complete(worker.commands().get(0), 0, Map.of());
            awaitCommands(worker, 3);
            assertEquals(urgent, worker.commands().get(2).path("payload").path("pipeline_run_id").asText());
            List<String> all = new ArrayList<>(runs);
            all.add(urgent);
            assertEquals(2, all.stream().filter(id -> "running".equals(run(admin, id).getString("status"))).count());
            // a held run can be cancelled: it never starts
            String dropped = all.stream().filter(id -> "pending".equals(run(admin, id).getString("status"))).findFirst()
                    .orElseThrow();
            as(admin).post("/api/v1/pipeline-runs/" + dropped + "/cancel").then().statusCode(200);
            assertEquals("cancelled", run(admin, dropped).getString("status"));
            assertEquals(null, run(admin, dropped).getString("wait_reason"));
            all.remove(dropped);

            // the tenant's own limit (a platform admin's) holds too, below the pipeline's
            share(t, 1, 1);
            new ArrayList<>(worker.commands()).subList(1, 3).forEach(c -> worker.complete(c, 0, Map.of()));
            awaitCommands(worker, 4);
            Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                    .until(() -> worker.commands().size() == 4);
            List<JsonPath> held = Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> all.stream().map(id -> run(admin, id)).filter(r -> "pending".equals(r.getString("status")))
                            .toList(), l -> l.size() == 1 && l.stream().allMatch(r -> r.getString("wait_reason").startsWith("limit: the tenant")));
            assertEquals("limit: the tenant has 1 of 1 runs running (max_concurrent_runs)", held.get(0).getString("wait_reason"));
            worker.onScan((w, cmd) -> w.complete(cmd, 0, Map.of()));
            worker.complete(worker.commands().get(3), 0, Map.of());
            for (String id : all) {
                awaitRun(admin, id, Duration.ofSeconds(30), "completed");
            }
            assertEquals("cancelled", run(admin, dropped).getString("status"));
            assertEquals(all.size(), worker.commands().size(), "the cancelled run got no command");
            share(t, 1, null);
        }
    }

    @Test
    void aRetryThatWouldPassTheRunLimitIsAConflictNamingIt() throws Exception {
        UUID t = Api.newTenant();
        String admin = TestTokens.admin(t);
        String cap = capability("retry");
        try (TestWorker worker = new TestWorker("w-" + cap, t, List.of(cap), List.of(), 4).onScan((w, cmd) -> w.running(cmd))) {
            String pipeline = oneStep(admin, "one-at-a-time", cap, "max_concurrent_runs: 1");
            String asset = asset(admin, "server", "retry", null);
            String first = trigger(admin, pipeline, asset);
            awaitCommands(worker, 1);
            worker.fail(worker.commands().get(0), "EXIT_2", "boom");
            awaitRun(admin, first, "failed");
            String second = trigger(admin, pipeline, asset);
            awaitCommands(worker, 2);
            as(admin).post("/api/v1/pipeline-runs/" + first + "/retry").then().statusCode(409)
                    .contentType("application/problem+json")
                    .body("detail", org.hamcrest.Matchers.containsString(
                            "limit: the pipeline has 1 of 1 runs running (settings.max_concurrent_runs)"));
            assertEquals("failed", run(admin, first).getString("status"), "nothing written");
            worker.complete(worker.commands().get(1), 0, Map.of());
            awaitRun(admin, second, "completed");
            as(admin).post("/api/v1/pipeline-runs/" + first + "/retry").then().statusCode(org.hamcrest.Matchers.lessThan(300));
            awaitCommands(worker, 3);
            worker.complete(worker.commands().get(2), 0, Map.of());
            awaitRun(admin, first, "completed");
        }
    }

    @Test
    void prioritiesOrderDispatchAndARunsPriorityComesFromItsAsset() throws Exception {
        UUID t = Api.newTenant();
        String admin = TestTokens.admin(t);
        String cap = capability("priority");
        try (TestWorker worker = new TestWorker("w-" + cap, t, List.of(cap), List.of(), 1).onScan((w, cmd) -> w.running(cmd))) {
            String pipeline = oneStep(admin, "ordered", cap, null);
            String blocker = trigger(admin, pipeline, asset(admin, "server", "blocker", null));
            awaitCommands(worker, 1);
            String low = trigger(admin, pipeline, as(admin).contentType(ContentType.JSON)
                    .body("{\"type\": \"server\", \"name\": \"cold\", \"criticality\": \"low\"}").post("/api/v1/assets")
                    .then().statusCode(201).extract().path("id"));
            String critical = trigger(admin, pipeline, as(admin).contentType(ContentType.JSON)
                    .body("{\"type\": \"server\", \"name\": \"crown-jewel\", \"criticality\": \"critical\"}")
                    .post("/api/v1/assets").then().statusCode(201).extract().path("id"));
            assertEquals("low", run(admin, low).getString("priority"));
            assertEquals("critical", run(admin, critical).getString("priority"));
            worker.complete(worker.commands().get(0), 0, Map.of());
            awaitCommands(worker, 2);
            assertEquals(critical, worker.commands().get(1).path("payload").path("pipeline_run_id").asText());
            worker.complete(worker.commands().get(1), 0, Map.of());
            awaitCommands(worker, 3);
            assertEquals(low, worker.commands().get(2).path("payload").path("pipeline_run_id").asText());
            worker.complete(worker.commands().get(2), 0, Map.of());
            awaitRun(admin, blocker, "completed");
        }
    }

    @Test
    void aLowRunBehindAStreamOfHighRunsStillStartsWithinItsBound() throws Exception {
        UUID t = Api.newTenant();
        String admin = TestTokens.admin(t);
        String cap = capability("aging");
        try (TestWorker worker = new TestWorker("w-" + cap, t, List.of(cap), List.of(), 1).onScan((w, cmd) -> w.running(cmd))) {
            String pipeline = oneStep(admin, "stream", cap, null);
            String asset = asset(admin, "server", "stream", null);
            trigger(admin, pipeline, asset);
            awaitCommands(worker, 1);
            String low = triggerWith(admin, pipeline, "{\"asset_id\": \"" + asset + "\", \"priority\": \"low\"}");
            Instant queued = Instant.now();
            // a stream of high runs: two new ones each time a slot frees, so high runs always wait
            for (int i = 0; i < 3; i++) {
                triggerWith(admin, pipeline, "{\"asset_id\": \"" + asset + "\", \"priority\": \"high\"}");
            }
            String lowSeen = null;
            for (int n = 1; n < 40 && lowSeen == null; n++) {
                JsonNode cmd = worker.commands().get(n - 1);
                triggerWith(admin, pipeline, "{\"asset_id\": \"" + asset + "\", \"priority\": \"high\"}");
                triggerWith(admin, pipeline, "{\"asset_id\": \"" + asset + "\", \"priority\": \"high\"}");
                Thread.sleep(250); // a high run holds the one slot a while
                worker.complete(cmd, 0, Map.of());
                awaitCommands(worker, n + 1);
                if (low.equals(worker.commands().get(n).path("payload").path("pipeline_run_id").asText())) {
                    lowSeen = low;
                }
            }
            assertEquals(low, lowSeen, "the low run never started");
            Duration waited = Duration.between(queued, Instant.now());
            // the test profile's aging is 2s: low (rank 3) reaches critical within 6s, then goes by age
            assertTrue(waited.compareTo(Duration.ofSeconds(20)) < 0, "the low run waited " + waited);
            assertTrue(worker.commands().size() > 3, "high runs went first for a while");
        }
    }
}
