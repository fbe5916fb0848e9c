package dev.scanflow.fleet;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.template;
import static dev.scanflow.support.Runs.trigger;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.protocol.Heartbeat;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Workers are who their registration says: probes from a NATS client that behaves badly, each
 * one of the defects found by attacking the service from the NATS side.
 */
@QuarkusTest
class WorkerTrustTest {

    @Inject
    MeterRegistry metrics;

    @Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    @Inject
    WorkerRegistry registry;

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

    private double rejected(String reason) {
        var c = metrics.find("scanflow.workers.heartbeats.rejected").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private void awaitWorker(String id, String status) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                status.equals(as(admin).get("/api/v1/workers/" + id).jsonPath().getString("status")));
    }

    private long count(String sql) {
        return pool.query(sql).execute().await().atMost(Duration.ofSeconds(30)).iterator().next().getLong(0);
    }

    @Test
    void aDedicatedWorkerThatHeartbeatsAsSharedGetsNothingOfAnotherTenant() throws Exception {
        String cap = unique("iso");
        TestWorker mine = worker(unique("w-mine"), tenant, cap, 2);
        awaitWorker(mine.id(), "online");
        UUID other = Api.newTenant();
        String otherAdmin = TestTokens.admin(other);
        double before = rejected("tenant");
        // it now claims to be shared, on every beat
        mine.publish(mine.subjects().heartbeat(mine.id()), new Heartbeat(mine.id(), null, List.of(cap), List.of(), 2, 0, "x"));
        String run = trigger(otherAdmin, template(otherAdmin, "name: iso\nsteps:\n  - id: s\n    capabilities: [" + cap + "]\n"),
                asset(otherAdmin, "server", "iso", null));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rejected("tenant") > before);
        // the other tenant's step waits: no worker it may use
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                "queued".equals(dev.scanflow.support.Runs.run(otherAdmin, run).getString("step_runs[0].status")));
        assertTrue(mine.commands().isEmpty(), "the dedicated worker got another tenant's command");
        as(admin).get("/api/v1/workers/" + mine.id()).then().body("tenant_id", equalTo(tenant.toString()));
    }

    @Test
    void aForgedHeartbeatForAnotherWorkerIsRefusedAndLeavesItsRegistration() throws Exception {
        String cap = unique("real");
        TestWorker real = worker(unique("w-real"), tenant, cap, 2);
        awaitWorker(real.id(), "online");
        double tenantBefore = rejected("tenant");
        double subjectBefore = rejected("subject");
        // on the victim's subject, with a random tenant and a capability it never had
        real.publish(real.subjects().heartbeat(real.id()),
                new Heartbeat(real.id(), UUID.randomUUID().toString(), List.of("nothing"), List.of(), 5, 0, "evil"));
        // on the forger's own subject, naming the victim
        real.publish(real.subjects().heartbeat("w-forger"),
                new Heartbeat(real.id(), tenant.toString(), List.of(cap), List.of(), 5, 0, "evil"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                rejected("tenant") > tenantBefore && rejected("subject") > subjectBefore);
        as(admin).get("/api/v1/workers/" + real.id()).then()
                .body("tenant_id", equalTo(tenant.toString()))
                .body("capabilities", equalTo(List.of(cap)))
                .body("max_concurrency", equalTo(2))
                .body("version", equalTo("test-worker"));
    }

    @Test
    void heartbeatsBeyondTheRegistrationAreRefusedByReason() throws Exception {
        String cap = unique("bound");
        String id = unique("w-bound");
        as(admin).contentType("application/json").body(Map.of("worker_id", id, "capabilities", List.of(cap),
                "tools", List.of("nmap"), "max_concurrency", 3)).post("/api/v1/workers").then().statusCode(201);
        try (TestWorker probe = new TestWorker("nats://127.0.0.1:4222", TestWorker.PREFIX, unique("w-probe"), tenant,
                List.of(cap), List.of(), 1)) {
            String subject = probe.subjects().heartbeat(id);
            double caps = rejected("capabilities");
            double tools = rejected("tools");
            double invalid = rejected("invalid");
            double unreadable = rejected("unreadable");
            probe.publish(subject, new Heartbeat(id, tenant.toString(), List.of(cap, "dast"), List.of(), 1, 0, "v"));
            probe.publish(subject, new Heartbeat(id, tenant.toString(), List.of(cap), List.of("nuclei"), 1, 0, "v"));
            probe.publish(subject, new Heartbeat(id, tenant.toString(), List.of(cap), List.of(), 1, 0, "v".repeat(500_000)));
            // no type coercion
            probe.publish(subject, ("{\"worker_id\": \"" + id + "\", \"capabilities\": [\"" + cap
                    + "\"], \"max_concurrency\": \"2\"}").getBytes());
            probe.publish(subject, ("{\"worker_id\": 5, \"capabilities\": [\"" + cap + "\"], \"max_concurrency\": 2}").getBytes());
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rejected("capabilities") > caps
                    && rejected("tools") > tools && rejected("invalid") > invalid
                    && rejected("unreadable") >= unreadable + 2);
            as(admin).get("/api/v1/workers/" + id).then().body("status", equalTo("offline"))
                    .body("registered_max_concurrency", equalTo(3)).body("version", equalTo(null));
            // within the registration it comes online
            probe.publish(subject, new Heartbeat(id, tenant.toString(), List.of(cap), List.of("nmap"), 3, 0, "v2"));
            awaitWorker(id, "online");
        }
    }

    @Test
    void aWorkerAnnouncingMoreConcurrencyThanRegisteredIsClampedNotRefused() throws Exception {
        String cap = unique("clamp");
        String id = unique("w-clamp");
        as(admin).contentType("application/json").body(Map.of("worker_id", id, "capabilities", List.of(cap),
                "max_concurrency", 3)).post("/api/v1/workers").then().statusCode(201)
                .body("worker.announced_max_concurrency", equalTo(null));
        List<java.util.logging.LogRecord> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = warnings(warnings);
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(WorkerRegistry.class.getName());
        log.addHandler(handler);
        // it asks for 50, every beat (without registering itself again)
        try (TestWorker greedy = new TestWorker("nats://127.0.0.1:4222", TestWorker.PREFIX, id, tenant, List.of(cap),
                List.of(), 50)) {
            awaitWorker(id, "online");
            as(admin).get("/api/v1/workers/" + id).then()
                    .body("max_concurrency", equalTo(3))
                    .body("announced_max_concurrency", equalTo(50))
                    .body("registered_max_concurrency", equalTo(3));
            as(admin).get("/api/v1/workers?capability=" + cap).then()
                    .body("items[0].max_concurrency", equalTo(3))
                    .body("items[0].announced_max_concurrency", equalTo(50));
            assertEquals(3L, count("SELECT count(*) FROM worker_slots WHERE worker_id = '" + id + "'"));
            // and it gets work
            String run = trigger(admin, template(admin, "name: clamp\nsteps:\n  - id: s\n    capabilities: [" + cap
                    + "]\n"), asset(admin, "server", "clamp", null));
            awaitRun(admin, run, Duration.ofSeconds(30), "completed");
            // many beats later, one WARN about it
            String beat = as(admin).get("/api/v1/workers/" + id).jsonPath().getString("last_heartbeat_at");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    !beat.equals(as(admin).get("/api/v1/workers/" + id).jsonPath().getString("last_heartbeat_at")));
            List<String> about = messages(warnings).stream().filter(m -> m.contains(id)).toList();
            assertEquals(1, about.size(), "one WARN for the clamped worker, got " + about);
            assertTrue(about.get(0).contains("50") && about.get(0).contains("3"), about.get(0));
        } finally {
            log.removeHandler(handler);
        }
    }

    private static java.util.logging.Handler warnings(List<java.util.logging.LogRecord> into) {
        return new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    into.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    private static List<String> messages(List<java.util.logging.LogRecord> records) {
        return records.stream()
                .map(r -> r instanceof org.jboss.logmanager.ExtLogRecord e ? e.getFormattedMessage() : r.getMessage())
                .toList();
    }

    @Test
    void aNullHeartbeatIsRefusedAsUnreadableAndWarnedOnceNotThrown() throws Exception {
        String id = unique("w-null");
        List<java.util.logging.LogRecord> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = warnings(warnings);
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(WorkerRegistry.class.getName());
        log.addHandler(handler);
        try (TestWorker probe = new TestWorker("nats://127.0.0.1:4222", TestWorker.PREFIX, unique("w-probe"), tenant,
                List.of("x"), List.of(), 1)) {
            String subject = probe.subjects().heartbeat(id);
            double before = rejected("unreadable");
            // straight into the listener: nothing escapes to jnats
            org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> registry.onHeartbeat(subject, "null".getBytes()));
            // and through NATS, twice
            probe.publish(subject, "null".getBytes());
            probe.publish(subject, " null ".getBytes());
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rejected("unreadable") >= before + 3);
            java.util.function.Supplier<List<String>> about = () -> messages(warnings).stream()
                    .filter(m -> m.contains(subject)).toList();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !about.get().isEmpty());
            assertEquals(1, about.get().size(), "one WARN naming the subject, got " + about.get());
        } finally {
            log.removeHandler(handler);
        }
    }

    @Test
    void aDeregisteredWorkerCannotAppendToTheLogsOfItsFormerCommand() throws Exception {
        String cap = unique("logs");
        TestWorker leaving = worker(unique("w-leaving"), tenant, cap, 1).onScan((w, cmd) -> w.running(cmd));
        awaitWorker(leaving.id(), "online");
        String run = trigger(admin, template(admin, "name: logs\nsteps:\n  - id: s\n    capabilities: [" + cap + "]\n"),
                asset(admin, "server", "logs", null));
        var first = leaving.awaitCommand("s");
        String firstId = first.path("id").asText();
        leaving.log(first, 1, "while registered");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                count("SELECT count(*) FROM step_logs WHERE command_id = '" + firstId + "'") == 1);

        TestWorker staying = worker(unique("w-staying"), tenant, cap, 1).onScan((w, cmd) -> w.running(cmd));
        awaitWorker(staying.id(), "online");
        as(admin).delete("/api/v1/workers/" + leaving.id()).then().statusCode(204);
        var second = staying.awaitCommand("s");
        leaving.log(first, 2, "after deregistration");
        // the log consumer handles lines in order: once the staying worker's line is stored, the other was seen
        staying.log(second, 1, "marker");
        String secondId = second.path("id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                count("SELECT count(*) FROM step_logs WHERE command_id = '" + secondId + "'") == 1);
        assertEquals(1, count("SELECT count(*) FROM step_logs WHERE command_id = '" + firstId + "'"),
                "a deregistered worker appended to a step's logs");
        assertEquals(staying.id(), dev.scanflow.support.Runs.run(admin, run).getString("step_runs[0].worker_id"));
    }

    @Test
    void heartbeatsOfUnregisteredIdsCreateNoRows() throws Exception {
        double before = rejected("unregistered");
        try (TestWorker flood = new TestWorker("nats://127.0.0.1:4222", TestWorker.PREFIX, unique("w-flood"), null,
                List.of("x"), List.of(), 1)) {
            String base = unique("w-ghost");
            for (int i = 0; i < 200; i++) {
                String id = base + "-" + i;
                flood.publish(flood.subjects().heartbeat(id), new Heartbeat(id, null, List.of("x"), List.of(), 1000, 0, "v"));
            }
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> rejected("unregistered") >= before + 200);
            assertEquals(0, count("SELECT count(*) FROM worker_slots WHERE worker_id LIKE '" + base + "-%'"));
            assertEquals(0, count("SELECT count(*) FROM workers WHERE id LIKE '" + base + "-%'"));
        }
    }

    @Test
    void aHeartbeatOnlyWorkerCostsARunAtMostOneAckTimeout() throws Exception {
        String cap = unique("mute");
        // the mute worker announces a lot of room and never acknowledges anything
        TestWorker mute = worker(unique("w-mute"), tenant, cap, 1000).onScan((w, cmd) -> { });
        awaitWorker(mute.id(), "online");
        String pipeline = template(admin, "name: mute\nsteps:\n  - id: s\n    capabilities: [" + cap + "]\n"
                + "  - id: t\n    capabilities: [" + cap + "]\n    depends_on: [s]\n");
        String asset = asset(admin, "server", "mute", null);
        String first = trigger(admin, pipeline, asset);
        mute.awaitCommand("s");
        TestWorker helpful = worker(unique("w-helpful"), tenant, cap, 1);
        awaitWorker(helpful.id(), "online");
        // one ack timeout (4 s in the test profile) later the step is on the helpful worker
        JsonPath firstRun = awaitRun(admin, first, Duration.ofSeconds(30), "completed");
        assertEquals(helpful.id(), firstRun.getString("step_runs[0].worker_id"));
        as(admin).get("/api/v1/workers/" + mute.id()).then()
                .body("ack_timeouts", equalTo(1))
                .body("benched_until", notNullValue());
        int given = mute.commands().size();
        // benched, the mute worker gets nothing more, however much room it announces
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            runs.add(trigger(admin, pipeline, asset));
        }
        for (String run : runs) {
            JsonPath done = awaitRun(admin, run, Duration.ofSeconds(30), "completed");
            assertEquals(helpful.id(), done.getString("step_runs[0].worker_id"));
            assertEquals(helpful.id(), done.getString("step_runs[1].worker_id"));
        }
        assertEquals(given, mute.commands().size(), "the benched worker got more commands");
        assertTrue(metrics.find("scanflow.workers.benched").counter().count() >= 1);
    }

    @Test
    void aWorkerThatAcknowledgesAgainIsNoLongerBenched() throws Exception {
        String cap = unique("late");
        TestWorker late = worker(unique("w-late"), tenant, cap, 4).onScan((w, cmd) -> { });
        awaitWorker(late.id(), "online");
        String run = trigger(admin, template(admin, "name: late\nsteps:\n  - id: s\n    capabilities: [" + cap + "]\n"),
                asset(admin, "server", "late", null));
        var command = late.awaitCommand("s");
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                as(admin).get("/api/v1/workers/" + late.id()).jsonPath().getInt("ack_timeouts") == 1);
        // the step waits (no other worker); the benched worker reports, late, on what it was given
        late.onScan((w, cmd) -> w.complete(cmd, 0, Map.of()));
        late.running(command);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                as(admin).get("/api/v1/workers/" + late.id()).jsonPath().getInt("ack_timeouts") == 0);
        // trusted again, it gets the step again
        JsonPath done = awaitRun(admin, run, Duration.ofSeconds(30), "completed");
        assertEquals(late.id(), done.getString("step_runs[0].worker_id"));
    }

    @Test
    void registrationIsTheApisJob() {
        String id = unique("w-api");
        as(admin).contentType("application/json").body(Map.of("worker_id", id, "capabilities", List.of("sast"),
                        "tools", List.of("semgrep"), "max_concurrency", 2))
                .post("/api/v1/workers").then().statusCode(201)
                .header("Location", containsString("/api/v1/workers/" + id))
                .body("worker.tenant_id", equalTo(tenant.toString()))
                .body("worker.status", equalTo("offline"))
                .body("worker.registration", equalTo("api"))
                .body("worker.registered_capabilities", equalTo(List.of("sast")))
                .body("nats.nkey", startsWith("U"))
                .body("nats.seed", startsWith("SU"))
                .body("nats.publish", hasItem("scanflow" + "test.workers.heartbeat." + id))
                .body("nats.server_config", containsString("nkey: "));
        // the seed is shown once
        as(admin).get("/api/v1/workers/" + id + "/nats").then().statusCode(200)
                .body("seed", equalTo(null)).body("nkey", startsWith("U"));
        as(admin).contentType("application/json").body(Map.of("worker_id", id, "capabilities", List.of("sast")))
                .post("/api/v1/workers").then().statusCode(409);
        // shared workers are a platform admin's
        as(admin).contentType("application/json").body("{\"worker_id\":\"" + unique("w-shared") + "\",\"tenant_id\":null,"
                + "\"capabilities\":[\"sast\"]}").post("/api/v1/workers").then().statusCode(403);
        as(TestTokens.token(tenant, "operator")).contentType("application/json")
                .body(Map.of("worker_id", unique("w-op"), "capabilities", List.of("sast")))
                .post("/api/v1/workers").then().statusCode(403);
        // another tenant's id is not the caller's to use
        as(admin).contentType("application/json").body(Map.of("worker_id", unique("w-x"), "tenant_id",
                UUID.randomUUID().toString(), "capabilities", List.of("sast"))).post("/api/v1/workers").then().statusCode(422);
        // every error of a body at once
        as(admin).contentType("application/json").body("{\"worker_id\":\"bad id\",\"capabilities\":[],\"max_concurrency\":0,"
                + "\"colour\":1}").post("/api/v1/workers").then().statusCode(422)
                .body("errors.path", equalTo(List.of("$.worker_id", "$.capabilities", "$.max_concurrency", "$.colour")));
        // deregistered: gone, and invisible to another tenant before that
        as(TestTokens.admin(Api.newTenant())).delete("/api/v1/workers/" + id).then().statusCode(404);
        as(admin).delete("/api/v1/workers/" + id).then().statusCode(204);
        as(admin).get("/api/v1/workers/" + id).then().statusCode(404);
    }

    @Test
    void aNatsKeyAlreadyUsedByAnotherWorkerIsRefused() throws Exception {
        // a shared worker's public key, as any tenant reads it from GET /workers/{id}
        String platform = TestTokens.token(tenant, "platform-admin");
        String shared = unique("w-shared");
        String key = as(platform).contentType("application/json").body("{\"worker_id\":\"" + shared
                        + "\",\"tenant_id\":null,\"capabilities\":[\"sast\"]}")
                .post("/api/v1/workers").then().statusCode(201).extract().path("nats.nkey");
        as(admin).get("/api/v1/workers/" + shared).then().body("nats_nkey", equalTo(key));
        UUID other = Api.newTenant();
        String otherAdmin = TestTokens.admin(other);
        String copy = unique("w-copy");
        as(otherAdmin).contentType("application/json").body(Map.of("worker_id", copy, "capabilities", List.of("sast"),
                        "nats_nkey", key)).post("/api/v1/workers").then().statusCode(409)
                .contentType("application/problem+json")
                .body("errors.path", equalTo(List.of("$.nats_nkey")));
        as(otherAdmin).get("/api/v1/workers/" + copy).then().statusCode(404);

        // two registrations of one new key at the same time: exactly one succeeds
        String fresh = new String(io.nats.client.NKey.createUser(new java.security.SecureRandom()).getPublicKey());
        List<java.util.concurrent.CompletableFuture<Integer>> racing = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = unique("w-race");
            racing.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> as(admin).contentType("application/json")
                    .body(Map.of("worker_id", id, "capabilities", List.of("sast"), "nats_nkey", fresh))
                    .post("/api/v1/workers").statusCode()));
        }
        List<Integer> statuses = racing.stream().map(java.util.concurrent.CompletableFuture::join).sorted().toList();
        assertEquals(List.of(201, 409, 409, 409, 409, 409), statuses);
        assertEquals(1, count("SELECT count(*) FROM workers WHERE nats_public_key = '" + fresh + "'"));
    }

    @Test
    void aDeregisteredWorkersStepsGoElsewhereAndItsHeartbeatsAreRefused() throws Exception {
        String cap = unique("dereg");
        TestWorker leaving = worker(unique("w-leaving"), tenant, cap, 2).onScan((w, cmd) -> w.running(cmd));
        awaitWorker(leaving.id(), "online");
        String run = trigger(admin, template(admin, "name: dereg\nsteps:\n  - id: s\n    capabilities: [" + cap + "]\n"),
                asset(admin, "server", "dereg", null));
        leaving.awaitCommand("s");
        TestWorker staying = worker(unique("w-staying"), tenant, cap, 1);
        awaitWorker(staying.id(), "online");
        as(admin).delete("/api/v1/workers/" + leaving.id()).then().statusCode(204);
        JsonPath done = awaitRun(admin, run, Duration.ofSeconds(30), "completed");
        assertEquals(staying.id(), done.getString("step_runs[0].worker_id"));
        assertEquals(0, count("SELECT count(*) FROM worker_slots WHERE worker_id = '" + leaving.id() + "'"));
        double before = rejected("unregistered");
        leaving.heartbeat();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rejected("unregistered") > before);
        as(admin).get("/api/v1/workers/" + leaving.id()).then().statusCode(404);
    }
}
