package dev.scanflow.scope;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.template;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import dev.scanflow.trigger.ScheduleClock;
import dev.scanflow.trigger.ScheduleTicker;
import dev.scanflow.webhook.WebhookSignatures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scope guard against the real service, PostgreSQL and NATS: whatever starts a run (by hand,
 * the fire endpoint, a schedule, a webhook, asset discovery, a retry), an out-of-scope target
 * never gets a command; a name that resolves into an excluded range is refused although its name
 * is allowed; a blackout window holds a step and lets it go. Names resolve through the test
 * profile's {@code scanflow.scope.static-hosts}, never the machine's DNS: app.scope.test
 * (10.20.1.10), db.scope.test (10.20.5.7).
 */
@QuarkusTest
class ScopeEnforcementTest {

    /** 10.20/16 and *.scope.test, without 10.20.5/24; only network steps are active. */
    static final String POLICY = """
            {"allowed_targets": ["10.20.0.0/16", "*.scope.test"], "excluded_targets": ["10.20.5.0/24"],
             "active_capabilities": ["network"]}""";
    static final String PROBE = "steps:\n  - id: probe\n    capabilities: [network]\n    timeout: 5m\n";

    @Inject
    Pool pool;
    @Inject
    ScheduleTicker ticker;
    @Inject
    ScheduleClock scheduleClock;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);
    private final Map<String, Instant> received = new ConcurrentHashMap<>();
    private TestWorker worker;

    @BeforeEach
    void aWorkerAndAPolicy() throws Exception {
        worker = TestWorker.dedicated(tenant, "network", null).onScan((w, cmd) -> {
            received.put(cmd.path("payload").path("pipeline_run_id").asText(), Instant.now());
            w.complete(cmd, 0, Map.of());
        });
        policy(POLICY);
    }

    @AfterEach
    void cleanUp() throws Exception {
        pool.preparedQuery("UPDATE schedules SET paused = TRUE, paused_at = now() WHERE tenant_id = $1")
                .execute(Tuple.of(tenant)).await().atMost(Duration.ofSeconds(10));
        scheduleClock.use(Clock.systemUTC());
        worker.close();
    }

    private void policy(String json) {
        as(admin).contentType(ContentType.JSON).body(json).put("/api/v1/scan-policy").then()
                .statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    private List<String> runsOf(String pipeline) {
        List<String> out = new ArrayList<>();
        pool.preparedQuery("SELECT id FROM pipeline_runs WHERE pipeline_id = $1 ORDER BY created_at")
                .execute(Tuple.of(UUID.fromString(pipeline))).await().atMost(Duration.ofSeconds(10))
                .forEach(r -> out.add(r.getUUID("id").toString()));
        return out;
    }

    private int runsOnAsset(String assetId) {
        Row r = pool.preparedQuery("SELECT count(*) AS n FROM pipeline_runs WHERE asset_id = $1")
                .execute(Tuple.of(UUID.fromString(assetId))).await().atMost(Duration.ofSeconds(10)).iterator().next();
        return r.getInteger("n");
    }

    /** The probe step of a run once the run ended. */
    private JsonPath probeOf(String run) {
        awaitRun(admin, run, "completed", "failed");
        return as(admin).get("/api/v1/pipeline-runs/" + run + "/steps/probe").then().statusCode(200).extract().jsonPath();
    }

    /** A finished run's probe was refused with this rule, and no command went out for it. */
    private void refused(String run, String rule) {
        JsonPath probe = probeOf(run);
        assertEquals("skipped", probe.getString("status"), probe.prettify());
        assertEquals("OUT_OF_SCOPE: " + rule, probe.getString("skip_reason"));
        assertNull(probe.getString("command_id"));
        assertFalse(received.containsKey(run), "a command went to the worker for " + run);
    }

    private void scanned(String run) {
        assertEquals("completed", probeOf(run).getString("status"));
        assertTrue(received.containsKey(run));
    }

    @Test
    void aRunStartedByHandOutOfScopeIsA422BeforeAnythingIsWritten() {
        String p = template(admin, "name: by-hand\n" + PROBE);
        String app = asset(admin, "server", "app", "https://app.scope.test");
        String elsewhere = asset(admin, "server", "elsewhere", "ssh://10.99.0.5");
        String db = asset(admin, "server", "db", "https://db.scope.test");

        String run = as(admin).contentType(ContentType.JSON).body("{\"asset_id\":\"" + app + "\"}")
                .post("/api/v1/pipelines/" + p + "/run").then().statusCode(201).extract().path("id");
        scanned(run);
        as(admin).contentType(ContentType.JSON).body("{\"asset_id\":\"" + elsewhere + "\"}")
                .post("/api/v1/pipelines/" + p + "/run").then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("https://scanflow.dev/problems/out-of-scope"))
                .body("detail", equalTo("step 'probe' is out of scope: 10.99.0.5 is not in allowed_targets"))
                .body("errors[0].path", equalTo("$.asset_id"));
        // allowed by its name, refused by the address it resolves to
        as(admin).contentType(ContentType.JSON).body("{\"asset_id\":\"" + db + "\"}")
                .post("/api/v1/pipelines/" + p + "/run").then().statusCode(422)
                .body("detail", equalTo("step 'probe' is out of scope: db.scope.test resolves to 10.20.5.7, in "
                        + "excluded_targets 10.20.5.0/24"));
        assertEquals(0, runsOnAsset(elsewhere) + runsOnAsset(db));

        // only active steps that would run count: a step its condition rules out, a passive step
        String conditional = template(admin, """
                name: by-hand-conditional
                steps:
                  - id: probe
                    capabilities: [network]
                    condition: {type: asset_type, value: web_application}
                  - id: lint
                    capabilities: [sast]
                    condition: {type: never}
                """);
        String allowed = as(admin).contentType(ContentType.JSON).body("{\"asset_id\":\"" + elsewhere + "\"}")
                .post("/api/v1/pipelines/" + conditional + "/run").then().statusCode(201).extract().path("id");
        assertEquals("Condition not met: asset.type in ['web_application']", probeOf(allowed).getString("skip_reason"));
    }

    @Test
    void theFireEndpointStartsEveryTargetAndOnlyTheOnesInScopeAreScanned() {
        String app = asset(admin, "server", "app", "https://app.scope.test");
        String elsewhere = asset(admin, "server", "elsewhere", "ssh://10.99.0.5");
        String db = asset(admin, "server", "db", "https://db.scope.test");
        String p = template(admin, "name: fired\ntriggers:\n  - type: schedule\n    name: nightly\n    cron: \"0 2 * * *\"\n"
                + "    targets: {asset_type: server}\n" + PROBE);
        List<String> runs = as(admin).post("/api/v1/pipelines/" + p + "/schedules/nightly/fire").then().statusCode(200)
                .extract().jsonPath().getList("run_ids");
        assertEquals(3, runs.size());
        for (String run : runs) {
            String assetId = as(admin).get("/api/v1/pipeline-runs/" + run).then().extract().path("asset_id");
            if (assetId.equals(app)) {
                scanned(run);
            } else if (assetId.equals(elsewhere)) {
                refused(run, "10.99.0.5 is not in allowed_targets");
            } else {
                assertEquals(db, assetId);
                refused(run, "db.scope.test resolves to 10.20.5.7, in excluded_targets 10.20.5.0/24");
                // the event says so (notifications are planned from the run's events and carry each step's skip reason)
                JsonPath history = as(admin).get("/api/v1/pipeline-runs/" + run + "/history").then().statusCode(200)
                        .extract().jsonPath();
                assertEquals("OUT_OF_SCOPE: db.scope.test resolves to 10.20.5.7, in excluded_targets 10.20.5.0/24",
                        history.getString("items.find { it.type == 'pipeline.step.skipped' }.payload.data.skip_reason"));
            }
        }
        assertEquals(1, received.size());
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("scanflow_scope_refusals_total{rule=\"excluded\"}"), "the metric");
        assertTrue(metrics.contains("scanflow_scope_refusals_total{rule=\"not_allowed\"}"), "the metric");
    }

    @Test
    void aScheduleFireScansOnlyTheTargetsInScope() throws Throwable {
        MovableClock clock = new MovableClock(Instant.parse("2026-07-01T10:00:10Z"));
        scheduleClock.use(clock);
        String app = asset(admin, "server", "app", "https://app.scope.test");
        String elsewhere = asset(admin, "server", "elsewhere", "ssh://10.99.0.5");
        String p = template(admin, "name: minutely\ntriggers:\n  - type: schedule\n    name: every-minute\n"
                + "    cron: \"* * * * *\"\n    targets: {asset_type: server}\n    overlap: allow\n" + PROBE);
        VertxContextSupport.subscribeAndAwait(() -> ticker.tick(true));
        clock.now = Instant.parse("2026-07-01T10:01:02Z");
        VertxContextSupport.subscribeAndAwait(() -> ticker.tick(true));
        List<String> runs = runsOf(p);
        assertEquals(2, runs.size());
        for (String run : runs) {
            String assetId = as(admin).get("/api/v1/pipeline-runs/" + run).then().extract().path("asset_id");
            if (assetId.equals(app)) {
                scanned(run);
            } else {
                assertEquals(elsewhere, assetId);
                refused(run, "10.99.0.5 is not in allowed_targets");
            }
        }
    }

    @Test
    void aWebhookDeliveryStartsARunWhoseOutOfScopeRepositoryIsNotScanned() throws Exception {
        // names only: nothing to resolve
        policy("{\"allowed_targets\": [\"github.com/trusted-org/*\"], \"active_capabilities\": [\"network\"]}");
        asset(admin, "repository", "webapp", "https://github.com/acme-corp/webapp");
        String p = template(admin, "name: on-push\ntriggers:\n  - type: webhook\n    name: pushes\n    events: [push]\n"
                + PROBE);
        String secret = as(admin).post("/api/v1/pipelines/" + p + "/webhook-secret").then().statusCode(201)
                .extract().path("secret");
        byte[] body = Files.readString(Path.of("src/test/resources/webhooks/github-push.json")).getBytes(StandardCharsets.UTF_8);
        List<String> runs = given().contentType("application/json").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "scope-1")
                .header("X-Hub-Signature-256", WebhookSignatures.githubSignature(secret, body)).body(body)
                .post("/api/v1/webhooks/" + p).then().statusCode(202).body("outcome", equalTo("started"))
                .extract().jsonPath().getList("run_ids");
        assertEquals(1, runs.size());
        refused(runs.get(0), "github.com is not in allowed_targets");
    }

    @Test
    void anAssetDiscoveryStartsRunsAndOnlyTheOnesInScopeAreScanned() {
        String p = template(admin, "name: on-discovery\ntriggers:\n  - on_asset_discovery\n" + PROBE);
        String app = asset(admin, "server", "app", "https://app.scope.test");
        String elsewhere = asset(admin, "server", "elsewhere", "ssh://10.99.0.5");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> runsOf(p).size() == 2);
        for (String run : runsOf(p)) {
            String assetId = as(admin).get("/api/v1/pipeline-runs/" + run).then().extract().path("asset_id");
            if (assetId.equals(app)) {
                scanned(run);
            } else {
                assertEquals(elsewhere, assetId);
                refused(run, "10.99.0.5 is not in allowed_targets");
            }
        }
    }

    @Test
    void aRetryAfterThePolicyChangedDoesNotScanWhatIsNowOutOfScope() {
        worker.onScan((w, cmd) -> {
            received.put(cmd.path("payload").path("pipeline_run_id").asText(), Instant.now());
            w.fail(cmd, "TOOL_FAILED", "boom");
        });
        String p = template(admin, "name: retried\n" + PROBE);
        String app = asset(admin, "server", "app", "https://app.scope.test");
        String run = as(admin).contentType(ContentType.JSON).body("{\"asset_id\":\"" + app + "\"}")
                .post("/api/v1/pipelines/" + p + "/run").then().statusCode(201).extract().path("id");
        awaitRun(admin, run, "failed");
        assertEquals(1, worker.commandsFor("probe").size());

        policy("{\"allowed_targets\": [\"10.20.0.0/16\"], \"excluded_targets\": [\"10.20.1.0/24\"], "
                + "\"active_capabilities\": [\"network\"]}");
        as(admin).post("/api/v1/pipeline-runs/" + run + "/retry").then().statusCode(200);
        JsonPath probe = probeOf(run);
        assertEquals("skipped", probe.getString("status"));
        assertEquals("OUT_OF_SCOPE: app.scope.test resolves to 10.20.1.10, in excluded_targets 10.20.1.0/24",
                probe.getString("skip_reason"));
        assertEquals(1, worker.commandsFor("probe").size(), "no second command");
    }

    @Test
    void aBlackoutWindowHoldsAStepQueuedWithItsReasonAndLetsItGo() {
        // a window that opened at the start of the previous minute and closes 10 s from now
        Instant now = Instant.now();
        Instant opened = now.truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(1));
        Instant closes = now.plusSeconds(10).truncatedTo(ChronoUnit.SECONDS);
        long seconds = Duration.between(opened, closes).toSeconds();
        int minute = opened.atZone(ZoneOffset.UTC).getMinute();
        policy("{\"allowed_targets\": [\"*.scope.test\"], \"active_capabilities\": [\"network\"], \"blackout_windows\": "
                + "[{\"cron\": \"" + minute + " * * * *\", \"duration\": \"" + seconds + "s\", \"timezone\": \"UTC\"}]}");
        as(admin).get("/api/v1/scan-policy").then().statusCode(200).body("blackout_until", equalTo(closes.toString()));

        String p = template(admin, "name: held\n" + PROBE);
        String app = asset(admin, "server", "app", "https://app.scope.test");
        String run = as(admin).contentType(ContentType.JSON).body("{\"asset_id\":\"" + app + "\"}")
                .post("/api/v1/pipelines/" + p + "/run").then().statusCode(201).extract().path("id");
        JsonPath held = as(admin).get("/api/v1/pipeline-runs/" + run + "/steps/probe").then().statusCode(200)
                .extract().jsonPath();
        assertTrue(Instant.now().isBefore(closes), "the machine took 10 s to start a run");
        assertEquals("queued", held.getString("status"), held.prettify());
        assertNotNull(held.getString("wait_reason"));
        assertTrue(held.getString("wait_reason").startsWith("blackout window '" + minute + " * * * *' for "),
                held.getString("wait_reason"));
        assertEquals(closes.toString(), held.getString("next_attempt_at"));
        assertFalse(received.containsKey(run));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> received.containsKey(run));
        assertFalse(received.get(run).isBefore(closes), "given to the worker at " + received.get(run) + ", before " + closes);
        JsonPath done = probeOf(run);
        assertEquals("completed", done.getString("status"));
        assertNull(done.getString("wait_reason"));
    }

    /** The schedules' clock, set by the test. */
    static final class MovableClock extends Clock {
        volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
