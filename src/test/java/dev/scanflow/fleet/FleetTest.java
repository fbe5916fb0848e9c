package dev.scanflow.fleet;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.awaitStep;
import static dev.scanflow.support.Runs.template;
import static dev.scanflow.support.Runs.trigger;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.agent.ScanWorker;
import dev.scanflow.agent.WorkerConfig;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import io.restassured.path.json.JsonPath;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The worker fleet: visibility, draining, failover, ack timeouts, concurrency, the reference worker. */
@QuarkusTest
class FleetTest {

    @Inject
    Pool pool;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private TestWorker worker(String id, UUID owner, String capability, int max) throws Exception {
        TestWorker w = new TestWorker(id, owner, List.of(capability), List.of(), max);
        closeables.add(w);
        return w;
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void awaitWorker(String token, String id, String status) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                status.equals(as(token).get("/api/v1/workers/" + id).jsonPath().getString("status")));
    }

    @Test
    void aTenantSeesItsOwnAndSharedWorkersOnly() throws Exception {
        UUID other = Api.newTenant();
        String cap = unique("vis");
        TestWorker mine = worker(unique("w-mine"), tenant, cap, 2);
        TestWorker shared = worker(unique("w-shared"), null, cap, 3);
        TestWorker theirs = worker(unique("w-theirs"), other, cap, 1);
        awaitWorker(admin, mine.id(), "online");
        awaitWorker(admin, shared.id(), "online");
        awaitWorker(TestTokens.admin(other), theirs.id(), "online");

        as(admin).get("/api/v1/workers?capability=" + cap).then().statusCode(200)
                .body("items.worker_id", hasItems(mine.id(), shared.id()))
                .body("items.worker_id", not(hasItem(theirs.id())));
        as(admin).get("/api/v1/workers/" + theirs.id()).then().statusCode(404);
        as(TestTokens.token(tenant, "viewer")).get("/api/v1/workers/" + shared.id()).then().statusCode(200)
                .body("tenant_id", equalTo(null))
                .body("max_concurrency", equalTo(3))
                .body("capabilities", hasItem(cap));
        as(admin).get("/api/v1/workers/" + mine.id()).then()
                .body("tenant_id", equalTo(tenant.toString()))
                .body("load", equalTo(0.0f));

        mine.stopHeartbeats();
        awaitWorker(admin, mine.id(), "offline");
        as(admin).get("/api/v1/workers?status=offline&capability=" + cap).then()
                .body("items.worker_id", hasItem(mine.id()));
        as(admin).get("/api/v1/workers?status=sleeping").then().statusCode(400);
    }

    @Test
    void drainingStopsNewCommandsAndLetsRunningOnesFinish() throws Exception {
        String cap = unique("drain");
        Map<String, JsonNode> held = new ConcurrentHashMap<>();
        TestWorker a = worker(unique("w-a"), tenant, cap, 4).onScan((w, cmd) -> {
            w.running(cmd);
            held.put(cmd.path("payload").path("pipeline_run_id").asText(), cmd);
        });
        awaitWorker(admin, a.id(), "online");
        String pipeline = template(admin, "name: drain\nsteps:\n  - id: s\n    capabilities: [" + cap + "]\n");
        String assetId = asset(admin, "server", "drain", null);
        String first = trigger(admin, pipeline, assetId);
        awaitStep(admin, first, "s", "running");

        as(TestTokens.token(tenant, "viewer")).post("/api/v1/workers/" + a.id() + "/drain").then().statusCode(403);
        as(admin).post("/api/v1/workers/" + a.id() + "/drain").then().statusCode(200)
                .body("status", equalTo("draining"));
        // heartbeats keep coming and do not undo the drain
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() ->
                "draining".equals(as(admin).get("/api/v1/workers/" + a.id()).jsonPath().getString("status")));

        String second = trigger(admin, pipeline, assetId);
        awaitStep(admin, second, "s", "queued");
        // the running step finishes on the draining worker
        a.complete(held.get(first), 1, Map.of());
        awaitRun(admin, first, "completed");
        Awaitility.await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(10))
                .until(() -> a.commandsFor("s").size() == 1);

        as(admin).post("/api/v1/workers/" + a.id() + "/resume").then().statusCode(200).body("status", equalTo("online"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> held.containsKey(second));
        a.complete(held.get(second), 0, Map.of());
        awaitRun(admin, second, "completed");
    }

    @Test
    void sharedWorkersAreDrainedByAPlatformAdminOnly() throws Exception {
        TestWorker shared = worker(unique("w-pool"), null, unique("pool"), 1);
        awaitWorker(admin, shared.id(), "online");
        as(admin).post("/api/v1/workers/" + shared.id() + "/drain").then().statusCode(403)
                .contentType("application/problem+json");
        String platform = TestTokens.token(tenant, "platform-admin");
        as(platform).post("/api/v1/workers/" + shared.id() + "/drain").then().statusCode(200)
                .body("status", equalTo("draining"));
        as(platform).post("/api/v1/workers/" + shared.id() + "/resume").then().statusCode(200);
        as(platform).post("/api/v1/workers/no-such-worker/drain").then().statusCode(404);
    }

    @Test
    void aLostWorkersStepMovesToAnotherWorkerWithoutSpendingAnAttempt() throws Exception {
        String cap = unique("lost");
        TestWorker a = worker(unique("w-dies"), tenant, cap, 1).onScan((w, cmd) -> w.running(cmd));
        awaitWorker(admin, a.id(), "online");
        String yaml = "name: failover\nsteps:\n  - id: s\n    capabilities: [" + cap + "]\n    timeout: 10m\n";
        String runId = trigger(admin, template(admin, yaml), asset(admin, "server", "failover", null));
        JsonNode first = a.awaitCommand("s");
        awaitStep(admin, runId, "s", "running");

        TestWorker b = worker(unique("w-takes-over"), tenant, cap, 1);
        a.stopHeartbeats(); // the worker "dies": no more heartbeats, no result
        JsonPath run = awaitRun(admin, runId, Duration.ofSeconds(30), "completed");
        JsonPath step = new JsonPath(run.prettify()).setRootPath("step_runs[0]");
        assertEquals(b.id(), step.getString("worker_id"));
        assertEquals(1, step.getInt("attempt"), "a lost worker does not cost an attempt");
        JsonNode second = b.awaitCommand("s");
        assertNotEquals(first.path("id").asText(), second.path("id").asText(), "a new command id");
        assertEquals(1, second.path("attempt").asInt());
        // a late result from the lost worker changes nothing
        a.complete(first, 99, Map.of());
        Awaitility.await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(10))
                .until(() -> dev.scanflow.support.Runs.run(admin, runId).getInt("total_findings") == 0);
    }

    private void sql(String statement) {
        pool.query(statement).execute().await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void aStepOnAWorkerWhoseRegistrationVanishedGoesToAnotherWorker() throws Exception {
        String cap = unique("vanish");
        TestWorker a = worker(unique("w-vanish"), tenant, cap, 1).onScan((w, cmd) -> w.running(cmd));
        awaitWorker(admin, a.id(), "online");
        String yaml = "name: vanish\nsteps:\n  - id: s\n    capabilities: [" + cap + "]\n    timeout: 1h\n";
        String runId = trigger(admin, template(admin, yaml), asset(admin, "server", "vanish", null));
        a.awaitCommand("s");
        awaitStep(admin, runId, "s", "running");
        // a kill -9 between deleting the registration and handing its steps over (as before it
        // was one transaction): the row is gone, the step still says it runs there
        a.stopHeartbeats();
        sql("DELETE FROM workers WHERE id = '" + a.id() + "'");
        TestWorker b = worker(unique("w-heir"), tenant, cap, 1);
        JsonPath run = awaitRun(admin, runId, Duration.ofSeconds(30), "completed");
        assertEquals(b.id(), run.getString("step_runs[0].worker_id"));
        assertEquals(1, run.getInt("step_runs[0].attempt"), "a vanished worker does not cost an attempt");
    }

    @Test
    void deregisteringHandsTheStepsOverInTheSameTransaction() throws Exception {
        String cap = unique("dereg");
        TestWorker a = worker(unique("w-dereg"), tenant, cap, 1).onScan((w, cmd) -> w.running(cmd));
        awaitWorker(admin, a.id(), "online");
        String yaml = "name: dereg\nsteps:\n  - id: s\n    capabilities: [" + cap + "]\n    timeout: 1h\n";
        String runId = trigger(admin, template(admin, yaml), asset(admin, "server", "dereg", null));
        a.awaitCommand("s");
        awaitStep(admin, runId, "s", "running");
        TestWorker b = worker(unique("w-next"), tenant, cap, 1);
        awaitWorker(admin, b.id(), "online");
        // the hand-over fails (a crash after the delete, as far as the database can tell)
        String fn = "test_fail_" + a.id().replace('-', '_');
        sql("CREATE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF OLD.worker_id = '" + a.id() + "' AND NEW.worker_id IS DISTINCT FROM OLD.worker_id THEN "
                + "RAISE EXCEPTION 'simulated crash during the hand-over'; END IF; RETURN NEW; END $$");
        sql("CREATE TRIGGER " + fn + " BEFORE UPDATE ON step_runs FOR EACH ROW EXECUTE FUNCTION " + fn + "()");
        try {
            as(admin).delete("/api/v1/workers/" + a.id()).then().statusCode(500);
            // nothing half done: still registered, the step still on it
            as(admin).get("/api/v1/workers/" + a.id()).then().statusCode(200);
            assertEquals(a.id(), dev.scanflow.support.Runs.run(admin, runId).getString("step_runs[0].worker_id"));
        } finally {
            sql("DROP TRIGGER IF EXISTS " + fn + " ON step_runs");
            sql("DROP FUNCTION IF EXISTS " + fn + "()");
        }
        as(admin).delete("/api/v1/workers/" + a.id()).then().statusCode(204);
        JsonPath run = awaitRun(admin, runId, Duration.ofSeconds(30), "completed");
        assertEquals(b.id(), run.getString("step_runs[0].worker_id"));
    }

    @Test
    void aCommandNeverAcknowledgedGoesToAnotherWorker() throws Exception {
        String cap = unique("ack");
        TestWorker mute = worker(unique("w-mute"), tenant, cap, 1).onScan((w, cmd) -> { });
        awaitWorker(admin, mute.id(), "online");
        String yaml = "name: ack\nsteps:\n  - id: s\n    capabilities: [" + cap + "]\n";
        String runId = trigger(admin, template(admin, yaml), asset(admin, "server", "ack", null));
        mute.awaitCommand("s");
        TestWorker helpful = worker(unique("w-helpful"), tenant, cap, 1);
        JsonPath run = awaitRun(admin, runId, Duration.ofSeconds(20), "completed");
        assertEquals(helpful.id(), run.getString("step_runs[0].worker_id"));
        assertEquals(1, run.getInt("step_runs[0].attempt"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !mute.cancels().isEmpty());
    }

    /** Completes {@code commands} commands as they arrive, one at a time, never seeing more than {@code max} open. */
    private static void completeOneByOne(TestWorker w, Map<String, JsonNode> open, int commands, int max) {
        for (int done = 0; done < commands; done++) {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !open.isEmpty());
            assertTrue(open.size() <= max, "max_concurrency " + max + ", saw " + open.size());
            String id = open.keySet().iterator().next();
            w.complete(open.remove(id), 0, Map.of());
        }
    }

    @Test
    void maxConcurrencyHoldsAcrossParallelRuns() throws Exception {
        String cap = unique("busy");
        Map<String, JsonNode> open = new ConcurrentHashMap<>();
        AtomicInteger peak = new AtomicInteger();
        TestWorker w = worker(unique("w-busy"), tenant, cap, 2).onScan((worker, cmd) -> {
            worker.running(cmd);
            open.put(cmd.path("id").asText(), cmd);
            peak.accumulateAndGet(open.size(), Math::max);
        });
        awaitWorker(admin, w.id(), "online");
        String pipeline = template(admin, "name: busy\nsteps:\n  - id: s\n    capabilities: [" + cap + "]\n");
        String assetId = asset(admin, "server", "busy", null);
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            runs.add(trigger(admin, pipeline, assetId));
        }
        completeOneByOne(w, open, 6, 2);
        for (String run : runs) {
            awaitRun(admin, run, "completed");
        }
        assertEquals(2, peak.get());
        as(admin).get("/api/v1/workers/" + w.id()).then().body("active_commands", equalTo(0));
    }

    @Test
    void aWorkerThatLowersItsCapacityGetsNoMoreThanTheNewOne() throws Exception {
        String cap = unique("shrink");
        Map<String, JsonNode> open = new ConcurrentHashMap<>();
        TestWorker w = worker(unique("w-shrink"), tenant, cap, 3).onScan((worker, cmd) -> {
            worker.running(cmd);
            open.put(cmd.path("id").asText(), cmd);
        });
        awaitWorker(admin, w.id(), "online");
        String pipeline = template(admin, "name: shrink\nsteps:\n  - id: s\n    capabilities: [" + cap + "]\n");
        String assetId = asset(admin, "server", "shrink", null);
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(trigger(admin, pipeline, assetId));
        }
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> open.size() == 3);
        as(admin).get("/api/v1/workers/" + w.id()).then().body("active_commands", equalTo(3));
        // the worker now takes one command at a time: the three it holds finish, nothing new
        // starts until the held slots are below the new capacity
        w.maxConcurrency(1);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                as(admin).get("/api/v1/workers/" + w.id()).jsonPath().getInt("max_concurrency") == 1);
        for (int i = 0; i < 3; i++) {
            runs.add(trigger(admin, pipeline, assetId));
        }
        for (String id : List.copyOf(open.keySet())) {
            w.complete(open.remove(id), 0, Map.of());
        }
        completeOneByOne(w, open, 3, 1);
        for (String run : runs) {
            awaitRun(admin, run, "completed");
        }
        as(admin).get("/api/v1/workers/" + w.id()).then().body("active_commands", equalTo(0));
    }

    private Map<Integer, String> slotVersions(String worker) {
        Map<Integer, String> out = new java.util.TreeMap<>();
        pool.preparedQuery("SELECT slot, xmin::text AS v FROM worker_slots WHERE worker_id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(worker)).await().atMost(Duration.ofSeconds(10))
                .forEach(r -> out.put(r.getInteger("slot"), r.getString("v")));
        return out;
    }

    private int granted(String worker) {
        return pool.preparedQuery("SELECT max_concurrency FROM workers WHERE id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(worker)).await().atMost(Duration.ofSeconds(10))
                .iterator().next().getInteger(0);
    }

    @Test
    void slotRowsDoNotChurnWhenTheConcurrencyFlipsAndGoWhenTheWorkerIsOffline() throws Exception {
        String cap = unique("flip");
        // registered for 1000 (TestWorker), announcing 1000
        TestWorker w = worker(unique("w-flip"), tenant, cap, 1000);
        awaitWorker(admin, w.id(), "online");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> slotVersions(w.id()).size() == 1000);
        Map<Integer, String> before = slotVersions(w.id());
        for (int i = 0; i < 10; i++) {
            for (int max : new int[] {1, 1000}) {
                w.maxConcurrency(max);
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> granted(w.id()) == max);
            }
        }
        // the same rows, never deleted and inserted again (xmin changes when a row is written)
        Map<Integer, String> after = slotVersions(w.id());
        long rewritten = before.entrySet().stream().filter(e -> !e.getValue().equals(after.get(e.getKey()))).count();
        assertEquals(0, rewritten, "slot rows deleted and inserted again by 20 concurrency changes");
        assertEquals(1000, after.size());
        // while it offers 1, only one slot is claimable: the rows above are kept, unusable
        w.maxConcurrency(1);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> granted(w.id()) == 1);
        String pipeline = template(admin, "name: flip\nsteps:\n  - id: s\n    capabilities: [" + cap + "]\n");
        String assetId = asset(admin, "server", "flip", null);
        Map<String, JsonNode> open = new ConcurrentHashMap<>();
        w.onScan((worker, cmd) -> {
            worker.running(cmd);
            open.put(cmd.path("id").asText(), cmd);
        });
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(trigger(admin, pipeline, assetId));
        }
        completeOneByOne(w, open, 3, 1);
        for (String run : runs) {
            awaitRun(admin, run, "completed");
        }
        // offline: its slot rows go; back online: they come back
        w.stopHeartbeats();
        awaitWorker(admin, w.id(), "offline");
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> slotVersions(w.id()).isEmpty());
        w.heartbeat();
        awaitWorker(admin, w.id(), "online");
        assertEquals(1, slotVersions(w.id()).size());
    }

    @Test
    void theReferenceWorkerRunsRealNmapAndTheNextStepReadsItsOutput() throws Exception {
        Path workdir = Files.createTempDirectory("scanflow-fleet-test");
        String tools = Path.of("src/test/resources/agent/tools").toAbsolutePath() + "/";
        String id = unique("w-ref");
        as(admin).contentType("application/json").body(Map.of("worker_id", id, "capabilities", List.of("network", "sast"),
                "tools", List.of("nmap", "semgrep"), "max_concurrency", 2)).post("/api/v1/workers").then().statusCode(201);
        ScanWorker ref = new ScanWorker(new WorkerConfig(id, tenant.toString(), "nats://127.0.0.1:4222",
                TestWorker.PREFIX, List.of("network", "sast"), 2, 1, workdir.toString(), Map.of(
                        "nmap", new WorkerConfig.ToolConfig(List.of("nmap", "-Pn", "-n", "-p", "{config.ports}", "-oX",
                                "{output_file}", "{target.host}"), "nmap-xml", null, null),
                        "semgrep", new WorkerConfig.ToolConfig(List.of("bash", tools + "fake-sarif.sh", "{output_file}",
                                "{target.name}"), "sarif", List.of("0", "1"), null)))).start();
        closeables.add(ref);
        awaitWorker(admin, id, "online");
        try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = open.getLocalPort();
            String yaml = """
                    name: ports-then-web
                    steps:
                      - id: ports
                        tool: nmap
                        capabilities: [network]
                        config: {ports: [%d, 1]}
                      - id: web
                        tool: semgrep
                        capabilities: [sast]
                        depends_on: [ports]
                        condition: "%d in steps.ports.output.open_ports"
                      - id: ssh
                        tool: semgrep
                        capabilities: [sast]
                        depends_on: [ports]
                        condition: "1 in steps.ports.output.open_ports"
                    """.formatted(port, port);
            String runId = trigger(admin, template(admin, yaml), asset(admin, "ip_address", "127.0.0.1", null));
            JsonPath run = awaitRun(admin, runId, Duration.ofSeconds(60), "completed");
            JsonPath ports = new JsonPath(run.prettify()).setRootPath("step_runs.find { it.step_id == 'ports' }");
            assertEquals(List.of(port), ports.getList("output.open_ports"));
            assertEquals(id, ports.getString("worker_id"));
            assertEquals("completed", run.getString("step_runs.find { it.step_id == 'web' }.status"));
            assertEquals(4, run.getInt("step_runs.find { it.step_id == 'web' }.findings_count"));
            assertEquals("skipped", run.getString("step_runs.find { it.step_id == 'ssh' }.status"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> as(admin)
                    .get("/api/v1/pipeline-runs/" + runId + "/steps/ports/logs").jsonPath().getList("items.line")
                    .stream().anyMatch(l -> String.valueOf(l).startsWith("$ nmap")));

            // live progress: the whole story as Server-Sent Events, ending with the run
            String sse = as(admin).accept("text/event-stream").get("/api/v1/pipeline-runs/" + runId + "/events")
                    .then().statusCode(200).extract().asString();
            assertTrue(sse.contains("pipeline.run.started"), sse);
            assertTrue(sse.contains("pipeline.step.skipped"), sse);
            assertTrue(sse.trim().endsWith("}") && sse.contains("pipeline.run.completed"), sse);
        }
    }
}
