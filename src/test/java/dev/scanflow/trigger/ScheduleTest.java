package dev.scanflow.trigger;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.template;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Schedules fired by the in-service scheduler against the real PostgreSQL, with the schedule
 * clock set by the test (all times are in 2026 before today, so other tests' schedules, planned
 * from the real clock, are never due here). The background ticker does not fire in tests
 * ({@code %test.scanflow.schedules.enabled=false}); each test fires with {@link #tick()}.
 */
@QuarkusTest
class ScheduleTest {

    @Inject
    ScheduleTicker ticker;
    @Inject
    ScheduleClock scheduleClock;
    @Inject
    Pool pool;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);
    private final List<TestWorker> workers = new ArrayList<>();

    /** The clock schedules see, moved by the test. */
    static final class TestClock extends Clock {
        volatile Instant now;

        TestClock(String at) {
            now = Instant.parse(at);
        }

        void set(String at) {
            now = Instant.parse(at);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private TestClock clock(String at) {
        TestClock c = new TestClock(at);
        scheduleClock.use(c);
        return c;
    }

    @AfterEach
    void cleanUp() throws Exception {
        // this test's schedules never fire in another test's ticks
        pool.preparedQuery("UPDATE schedules SET paused = TRUE, paused_at = now() WHERE tenant_id = $1")
                .execute(Tuple.of(tenant)).await().indefinitely();
        scheduleClock.use(Clock.systemUTC());
        for (TestWorker w : workers) {
            w.close();
        }
    }

    /**
     * One tick of the scheduler, firing. (What it started is checked per pipeline: a tick fires
     * every due schedule in the database, and schedules of other tests may be due too.)
     */
    private void tick() throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> ticker.tick(true));
    }

    private String pipeline(String name, String trigger) {
        return template(admin, "name: " + name + "\ntriggers:\n" + trigger
                + "steps:\n  - id: quick\n    capabilities: [none]\n    condition: {type: never}\n");
    }

    private static String schedule(String name, String cron, String extra) {
        return "  - type: schedule\n    name: " + name + "\n    cron: \"" + cron + "\"\n" + extra;
    }

    private List<Row> rows(String sql, Object... args) {
        List<Row> out = new ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(Duration.ofSeconds(10)).forEach(out::add);
        return out;
    }

    private List<Row> runsOf(String pipeline) {
        return rows("SELECT id, asset_id, trigger_type, triggered_by, status FROM pipeline_runs WHERE pipeline_id = $1 "
                + "ORDER BY created_at", UUID.fromString(pipeline));
    }

    private List<Instant> firesOf(String pipeline) {
        return rows("SELECT fire_at FROM schedule_fires WHERE pipeline_id = $1 ORDER BY fire_at", UUID.fromString(pipeline))
                .stream().map(r -> r.getOffsetDateTime("fire_at").toInstant()).toList();
    }

    private List<Row> outcomesOf(String pipeline, String outcome) {
        return rows("SELECT * FROM trigger_outcomes WHERE pipeline_id = $1 AND outcome = $2 ORDER BY id",
                UUID.fromString(pipeline), outcome);
    }

    private JsonPath schedules(String pipeline) {
        return as(admin).get("/api/v1/pipelines/" + pipeline + "/schedules").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void eachFireStartsOneRunPerMatchingAssetExactlyOnceWhateverTheTicks() throws Throwable {
        TestClock c = clock("2026-06-01T10:00:10Z");
        List<String> repos = List.of(asset(admin, "repository", "r1", "https://git.example.com/a/r1"),
                asset(admin, "repository", "r2", "https://git.example.com/a/r2"),
                asset(admin, "repository", "r3", "https://git.example.com/a/r3"));
        asset(admin, "server", "not-a-target", null);
        String p = pipeline("minutely", schedule("every-minute", "* * * * *",
                "    targets:\n      - asset_type: repository\n    overlap: allow\n"));
        tick();
        JsonPath listed = schedules(p);
        assertEquals("every-minute", listed.getString("items[0].key"));
        assertEquals("active", listed.getString("items[0].state"));
        assertEquals("2026-06-01T10:01:00Z", listed.getString("items[0].next_fire_at"));
        assertEquals(10, listed.getList("items[0].next_fires").size());
        assertEquals("+00:00", listed.getString("items[0].next_fires[0].utc_offset"));

        c.set("2026-06-01T10:01:02Z");
        // four ticks at once, as four replicas would: one fire, one run per repository
        ExecutorService replicas = Executors.newFixedThreadPool(4);
        List<Future<Integer>> ticks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ticks.add(replicas.submit(() -> {
                try {
                    return VertxContextSupport.subscribeAndAwait(() -> ticker.tick(true));
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Future<Integer> t : ticks) {
            t.get();
        }
        replicas.shutdown();
        assertEquals(List.of(Instant.parse("2026-06-01T10:01:00Z")), firesOf(p));
        List<Row> runs = runsOf(p);
        assertEquals(3, runs.size());
        assertEquals(repos.stream().sorted().toList(), runs.stream().map(r -> r.getUUID("asset_id").toString()).sorted().toList());
        for (Row r : runs) {
            assertEquals("schedule", r.getString("trigger_type"));
            assertEquals("schedule:minutely/every-minute", r.getString("triggered_by"));
        }
        tick();

        c.set("2026-06-01T10:02:01Z");
        tick();
        tick();
        assertEquals(6, runsOf(p).size());
        Map<UUID, Long> perAsset = runsOf(p).stream().collect(Collectors.groupingBy(r -> r.getUUID("asset_id"),
                Collectors.counting()));
        assertEquals(Set.of(2L), Set.copyOf(perAsset.values()));
        String run = runsOf(p).get(0).getUUID("id").toString();
        JsonPath answered = awaitRun(admin, run, "completed");
        assertEquals("schedule", answered.getString("trigger_type"));
        assertEquals("schedule:minutely/every-minute", answered.getString("triggered_by"));
        assertEquals("2026-06-01T10:02:00Z", schedules(p).getString("items[0].last_fire_at"));
    }

    @Test
    void missedFiresFollowTheTriggersCatchup() throws Throwable {
        TestClock c = clock("2026-06-02T10:00:10Z");
        asset(admin, "server", "s1", null);
        String overlap = "    overlap: allow\n";
        String none = pipeline("catchup-none", schedule("five", "*/5 * * * *", "    catchup: none\n" + overlap));
        String latest = pipeline("catchup-latest", schedule("five", "*/5 * * * *", overlap));
        String all = pipeline("catchup-all", schedule("five", "*/5 * * * *", "    catchup: all\n" + overlap));
        String shortWindow = pipeline("catchup-all-10m", schedule("five", "*/5 * * * *",
                "    catchup: all\n    catchup_window: 10m\n" + overlap));
        tick();
        // every replica down from 10:00:10 to 10:47:30: 10:05 .. 10:45 are missed (nine fires)
        c.set("2026-06-02T10:47:30Z");
        tick();
        assertEquals(List.of(), firesOf(none));
        assertEquals(0, runsOf(none).size());
        assertTrue(outcomesOf(none, "missed").get(0).getString("reason").startsWith("9 fires from 2026-06-02T10:05:00Z "
                + "to 2026-06-02T10:45:00Z not run (catchup: none"), outcomesOf(none, "missed").get(0).getString("reason"));

        assertEquals(List.of(Instant.parse("2026-06-02T10:45:00Z")), firesOf(latest));
        assertEquals(1, runsOf(latest).size());
        assertTrue(outcomesOf(latest, "missed").get(0).getString("reason").startsWith("8 fires"));

        assertEquals(9, firesOf(all).size());
        assertEquals(9, runsOf(all).size());
        assertEquals(0, outcomesOf(all, "missed").size());

        assertEquals(List.of(Instant.parse("2026-06-02T10:40:00Z"), Instant.parse("2026-06-02T10:45:00Z")),
                firesOf(shortWindow));
        assertTrue(outcomesOf(shortWindow, "missed").get(0).getString("reason").startsWith("7 fires"));

        for (String p : List.of(none, latest, all, shortWindow)) {
            assertEquals("2026-06-02T10:50:00Z", schedules(p).getString("items[0].next_fire_at"), p);
        }
        // the missed fires are in the API too, once per tick, not once per minute
        JsonPath recent = schedules(none);
        assertEquals("missed", recent.getString("items[0].recent_outcomes[0].outcome"));
        assertEquals(1, recent.getList("items[0].recent_outcomes").size());
    }

    @Test
    void pausingResumingAndEditingNeverFireASpuriousRun() throws Throwable {
        TestClock c = clock("2026-06-03T10:00:10Z");
        asset(admin, "server", "s1", null);
        String latest = pipeline("paused-latest", schedule("hourly", "0 * * * *", ""));
        String none = pipeline("paused-none", schedule("hourly", "0 * * * *", "    catchup: none\n"));
        tick();
        c.set("2026-06-03T10:30:00Z");
        for (String p : List.of(latest, none)) {
            as(admin).post("/api/v1/pipelines/" + p + "/schedules/hourly/pause").then().statusCode(200)
                    .body("state", equalTo("paused")).body("paused_at", equalTo("2026-06-03T10:30:00Z"));
        }
        c.set("2026-06-03T11:02:00Z");
        tick();
        assertEquals(0, runsOf(latest).size() + runsOf(none).size(), "a paused schedule does not fire");
        assertNull(schedules(latest).getString("items[0].next_fire_at"));
        // resuming: the 11:00 fire the pause held back is a missed fire (2 minutes late)
        for (String p : List.of(latest, none)) {
            as(admin).post("/api/v1/pipelines/" + p + "/schedules/hourly/resume").then().statusCode(200)
                    .body("state", equalTo("active"));
        }
        tick();
        assertEquals(0, runsOf(none).size(), "catchup none: nothing on resume");
        assertEquals(1, outcomesOf(none, "missed").size());
        assertEquals(List.of(Instant.parse("2026-06-03T11:00:00Z")), firesOf(latest), "catchup latest: the held-back fire, once");
        assertEquals("2026-06-03T12:00:00Z", schedules(none).getString("items[0].next_fire_at"));
        tick();
        assertEquals(1, runsOf(latest).size());

        // 12:00 passes unfired (the replicas are down); then the trigger is edited: the fire that
        // belonged to the old definition is dropped, the new one is planned from now
        c.set("2026-06-03T12:20:00Z");
        String edited = as(admin).get("/api/v1/pipelines/" + none).then().statusCode(200).extract().asString()
                .replace("\"0 * * * *\"", "\"15 * * * *\"");
        as(admin).contentType(ContentType.JSON).body(edited).put("/api/v1/pipelines/" + none).then().statusCode(200);
        tick();
        assertEquals(0, runsOf(none).size());
        assertEquals("2026-06-03T13:15:00Z", schedules(none).getString("items[0].next_fire_at"));
        // an edit that leaves the trigger alone keeps its plan (and its owed fire)
        c.set("2026-06-03T13:16:00Z");
        String stepsOnly = as(admin).get("/api/v1/pipelines/" + latest).then().statusCode(200).extract().asString()
                .replace("\"capabilities\":[\"none\"]", "\"capabilities\":[\"none\",\"more\"]");
        assertTrue(stepsOnly.contains("\"more\""));
        as(admin).contentType(ContentType.JSON).body(stepsOnly).put("/api/v1/pipelines/" + latest).then().statusCode(200);
        tick();
        // 11:00 (on resume), 12:00 (caught up at 12:20: the replicas were down) and 13:00: the
        // edit of the steps did not move the schedule's plan
        assertEquals(List.of(Instant.parse("2026-06-03T11:00:00Z"), Instant.parse("2026-06-03T12:00:00Z"),
                Instant.parse("2026-06-03T13:00:00Z")), firesOf(latest));
    }

    @Test
    void aScheduleWrittenPausedFiresOnlyOnceResumed() throws Throwable {
        TestClock c = clock("2026-06-05T10:00:10Z");
        asset(admin, "server", "s1", null);
        String p = pipeline("starts-paused", schedule("hourly", "0 * * * *", "    paused: true\n"));
        tick();
        assertEquals("paused", schedules(p).getString("items[0].state"));
        c.set("2026-06-05T11:00:30Z");
        tick();
        assertEquals(0, runsOf(p).size(), "written paused: nothing fires until a tenant resumes it");
        as(admin).post("/api/v1/pipelines/" + p + "/schedules/hourly/resume").then().statusCode(200)
                .body("state", equalTo("active"));
        // an edit elsewhere in the template does not pause it again
        String renamed = as(admin).get("/api/v1/pipelines/" + p).then().statusCode(200).extract().asString()
                .replace("\"capabilities\":[\"none\"]", "\"capabilities\":[\"none\",\"more\"]");
        assertTrue(renamed.contains("\"more\""));
        as(admin).contentType(ContentType.JSON).body(renamed).put("/api/v1/pipelines/" + p).then().statusCode(200);
        tick();
        assertEquals("active", schedules(p).getString("items[0].state"));
        // resuming applies the trigger's catch-up rule (latest, within an hour) to the fire held back
        assertEquals(List.of(Instant.parse("2026-06-05T11:00:00Z")), firesOf(p));
        c.set("2026-06-05T12:00:30Z");
        tick();
        assertEquals(List.of(Instant.parse("2026-06-05T11:00:00Z"), Instant.parse("2026-06-05T12:00:00Z")), firesOf(p));
        assertEquals(2, runsOf(p).size());
    }

    @Test
    void overlapPolicies() throws Throwable {
        TestClock c = clock("2026-06-04T10:00:10Z");
        TestWorker worker = TestWorker.dedicated(tenant, "hold", "nmap");
        workers.add(worker);
        worker.onScan((w, cmd) -> w.running(cmd)); // steps stay running: the runs stay active
        asset(admin, "server", "busy", null);
        Map<String, String> pipelines = new java.util.LinkedHashMap<>();
        for (String policy : List.of("skip", "allow", "queue", "replace")) {
            pipelines.put(policy, template(admin, "name: overlap-" + policy + "\ntriggers:\n"
                    + schedule("minutely", "* * * * *", "    overlap: " + policy + "\n")
                    + "steps:\n  - id: hold\n    capabilities: [hold]\n    timeout: 1h\n"));
        }
        tick();
        c.set("2026-06-04T10:01:01Z");
        tick();
        for (String p : pipelines.values()) {
            awaitRun(admin, runsOf(p).get(0).getUUID("id").toString(), "running");
        }
        c.set("2026-06-04T10:02:01Z");
        tick();
        assertEquals(1, runsOf(pipelines.get("skip")).size());
        assertTrue(outcomesOf(pipelines.get("skip"), "skipped").get(0).getString("reason").contains("is still active"));
        assertEquals(2, runsOf(pipelines.get("allow")).size());
        assertEquals(1, runsOf(pipelines.get("queue")).size());
        assertEquals(1, outcomesOf(pipelines.get("queue"), "queued").size());
        List<Row> replaced = runsOf(pipelines.get("replace"));
        assertEquals(2, replaced.size());
        awaitRun(admin, replaced.get(0).getUUID("id").toString(), "cancelled");
        assertTrue(outcomesOf(pipelines.get("replace"), "replaced").get(0).getString("reason").endsWith("cancelled"));

        c.set("2026-06-04T10:03:01Z");
        tick();
        assertTrue(outcomesOf(pipelines.get("queue"), "skipped").get(0).getString("reason")
                .contains("a fire is queued for it already"), "at most one fire waits");
        assertEquals(2, outcomesOf(pipelines.get("skip"), "skipped").size());

        // the queued fire starts once the run it waited for ends
        String first = runsOf(pipelines.get("queue")).get(0).getUUID("id").toString();
        as(admin).post("/api/v1/pipeline-runs/" + first + "/cancel").then().statusCode(200);
        awaitRun(admin, first, "cancelled");
        tick();
        List<Row> queueRuns = runsOf(pipelines.get("queue"));
        assertEquals(2, queueRuns.size());
        assertTrue(outcomesOf(pipelines.get("queue"), "started").get(1).getString("reason").contains("queued behind run " + first));
        assertEquals("schedule:overlap-queue/minutely", queueRuns.get(1).getString("triggered_by"));

        // skipped fires are visible in the API and counted
        JsonPath listed = schedules(pipelines.get("skip"));
        assertEquals("skipped", listed.getString("items[0].recent_outcomes[0].outcome"));
        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("scanflow_trigger_outcomes_total{outcome=\"skipped\",trigger_type=\"schedule\"}"), metrics);
        assertTrue(metrics.contains("outcome=\"replaced\""));
    }

    @Test
    void aFireThatFailsMidwayLeavesNothingAndTheNextTickFiresItOnce() throws Throwable {
        TestClock c = clock("2026-06-05T10:00:10Z");
        for (int i = 0; i < 3; i++) {
            asset(admin, "server", "a" + i, null);
        }
        String p = pipeline("half-fire", schedule("minutely", "* * * * *", ""));
        tick();
        // the fire's last statement (moving the schedule on) fails after its runs were inserted
        pool.query("CREATE OR REPLACE FUNCTION fail_fire() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF NEW.pipeline_id = '" + p + "' AND NEW.last_fire_at IS DISTINCT FROM OLD.last_fire_at THEN "
                + "RAISE EXCEPTION 'replica lost mid-fire'; END IF; RETURN NEW; END $$").execute().await().indefinitely();
        pool.query("CREATE TRIGGER fail_fire BEFORE UPDATE ON schedules FOR EACH ROW EXECUTE FUNCTION fail_fire()")
                .execute().await().indefinitely();
        try {
            c.set("2026-06-05T10:01:01Z");
            tick();
            assertEquals(0, runsOf(p).size());
            assertEquals(List.of(), firesOf(p));
        } finally {
            pool.query("DROP TRIGGER fail_fire ON schedules").execute().await().indefinitely();
        }
        tick();
        assertEquals(List.of(Instant.parse("2026-06-05T10:01:00Z")), firesOf(p));
        tick();
    }

    @Test
    void theFireEndpointIsIdempotentPerKey() throws Exception {
        clock("2026-06-06T10:00:10Z");
        for (int i = 0; i < 3; i++) {
            asset(admin, "repository", "repo" + i, "https://git.example.com/x/repo" + i);
        }
        String p = pipeline("fired-by-cronjob", schedule("nightly", "0 2 * * *", "    targets: {asset_type: repository}\n"));
        String url = "/api/v1/pipelines/" + p + "/schedules/nightly/fire";
        // five attempts of one Job at once: one set of runs
        ExecutorService pool5 = Executors.newFixedThreadPool(5);
        List<Future<JsonPath>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Callable<JsonPath> call = () -> as(admin).header("Idempotency-Key", "cronjob:scanflow/scan-29000000")
                    .post(url).then().statusCode(200).extract().jsonPath();
            answers.add(pool5.submit(call));
        }
        Set<List<String>> runSets = new java.util.HashSet<>();
        int replayed = 0;
        for (Future<JsonPath> f : answers) {
            JsonPath a = f.get();
            runSets.add(a.getList("run_ids", String.class).stream().sorted().toList());
            replayed += a.getBoolean("replayed") ? 1 : 0;
        }
        pool5.shutdown();
        assertEquals(1, runSets.size(), "every attempt answered with the same runs: " + runSets);
        assertEquals(3, runSets.iterator().next().size());
        assertEquals(4, replayed);
        assertEquals(3, runsOf(p).size());
        JsonPath run = awaitRun(admin, runSets.iterator().next().get(0), "completed");
        assertEquals("api", run.getString("trigger_type"));
        assertEquals("schedule:fired-by-cronjob/nightly", run.getString("triggered_by"));

        // a new key is a new fire; the position works as well as the name
        as(admin).header("Idempotency-Key", "cronjob:scanflow/scan-29000001").post("/api/v1/pipelines/" + p
                + "/schedules/0/fire").then().statusCode(200).body("run_ids.size()", equalTo(3));
        assertEquals(6, runsOf(p).size());
        as(admin).header("Idempotency-Key", "cronjob:scanflow/scan-29000000").post(url).then().statusCode(200)
                .header("Idempotent-Replayed", "true").body("replayed", equalTo(true));
        assertEquals(6, runsOf(p).size());

        as(admin).header("Idempotency-Key", "has space").post(url).then().statusCode(400)
                .body("detail", containsString("Idempotency-Key"));
        as(admin).post("/api/v1/pipelines/" + p + "/schedules/nope/fire").then().statusCode(404)
                .body("detail", containsString("its schedules: nightly"));
        as(TestTokens.admin(UUID.randomUUID())).post(url).then().statusCode(404);
        as(TestTokens.token(tenant, "viewer")).post(url).then().statusCode(403);
        as(admin).post("/api/v1/pipelines/" + p + "/schedules/nightly/pause").then().statusCode(200);
        as(admin).post(url).then().statusCode(409).body("detail", containsString("paused"));
        as(admin).post("/api/v1/pipelines/" + p + "/schedules/nightly/resume").then().statusCode(200);
    }

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL base;

    /** Runs the CronJob's own script (k8s/base/cronjob.yaml) with curl against this service. */
    private int runCronJob(Map<String, String> env, StringBuilder output) throws Exception {
        var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(java.nio.file.Path.of("k8s/base/cronjob.yaml").toFile());
        var command = yaml.at("/spec/jobTemplate/spec/template/spec/containers/0/command");
        ProcessBuilder pb = new ProcessBuilder(command.get(0).asText(), command.get(1).asText(), command.get(2).asText())
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        Process process = pb.start();
        output.append(new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        return process.waitFor();
    }

    @Test
    void theCronJobFiresOnceForAllAttemptsOfAJob() throws Exception {
        clock("2026-06-07T10:00:10Z");
        asset(admin, "repository", "cron-repo", "https://git.example.com/x/cron-repo");
        String p = pipeline("fired-by-k8s", schedule("nightly", "0 2 * * *", ""));
        String operator = TestTokens.token(tenant, "operator");
        Map<String, String> env = new java.util.HashMap<>(Map.of("SCANFLOW_URL", base.toString().replaceAll("/$", ""),
                "PIPELINE_ID", p, "SCHEDULE", "nightly", "JOB_NAME", "scanflow-scheduled-scan-29412345",
                "JOB_NAMESPACE", "scanflow", "SCANFLOW_TOKEN", operator));
        StringBuilder first = new StringBuilder();
        assertEquals(0, runCronJob(env, first), first.toString());
        StringBuilder retry = new StringBuilder();
        assertEquals(0, runCronJob(env, retry), retry.toString());
        assertTrue(retry.toString().contains("\"replayed\":true"), retry.toString());
        assertEquals(1, runsOf(p).size(), "a retried Job starts nothing");
        assertEquals("api", runsOf(p).get(0).getString("trigger_type"));
        env.put("JOB_NAME", "scanflow-scheduled-scan-29412346");
        assertEquals(0, runCronJob(env, new StringBuilder()));
        assertEquals(2, runsOf(p).size(), "the next scheduled time is a new fire");
        env.put("PIPELINE_ID", "00000000-0000-0000-0000-000000000000");
        StringBuilder refused = new StringBuilder();
        assertEquals(2, runCronJob(env, refused));
        assertTrue(refused.toString().contains("set a real UUID"), refused.toString());
        env.put("PIPELINE_ID", p);
        env.put("SCHEDULE", "nope");
        StringBuilder unknown = new StringBuilder();
        assertTrue(runCronJob(env, unknown) != 0, "a 404 fails the job");
        assertTrue(unknown.toString().contains("not-found"), unknown.toString());
    }

    @Test
    void startingARunIsIdempotentPerKey() throws Exception {
        String repo = asset(admin, "repository", "idem", "https://git.example.com/x/idem");
        String other = asset(admin, "repository", "idem2", "https://git.example.com/x/idem2");
        String p = pipeline("idempotent-run", "  - manual\n");
        String body = "{\"asset_id\":\"" + repo + "\"}";
        ExecutorService threads = Executors.newFixedThreadPool(6);
        List<Future<String>> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(threads.submit(() -> as(admin).header("Idempotency-Key", "deploy-42").contentType(ContentType.JSON)
                    .body(body).post("/api/v1/pipelines/" + p + "/run").then().statusCode(201).extract().path("id")));
        }
        Set<String> distinct = new java.util.HashSet<>();
        for (Future<String> f : ids) {
            distinct.add(f.get());
        }
        threads.shutdown();
        assertEquals(1, distinct.size(), "six concurrent retries, one run: " + distinct);
        assertEquals(1, runsOf(p).size());
        as(admin).header("Idempotency-Key", "deploy-42").contentType(ContentType.JSON).body(body)
                .post("/api/v1/pipelines/" + p + "/run").then().statusCode(201).header("Idempotent-Replayed", "true")
                .body("id", equalTo(distinct.iterator().next()));
        as(admin).header("Idempotency-Key", "deploy-42").contentType(ContentType.JSON)
                .body("{\"asset_id\":\"" + other + "\"}").post("/api/v1/pipelines/" + p + "/run").then().statusCode(422)
                .body("type", containsString("idempotency-key-reused"));
        // the same key in another tenant is another key
        String otherAdmin = TestTokens.admin(UUID.randomUUID());
        String theirs = asset(otherAdmin, "repository", "idem", "https://git.example.com/x/idem");
        String theirPipeline = template(otherAdmin, "name: idempotent-run\ntriggers:\n  - manual\n"
                + "steps:\n  - id: quick\n    capabilities: [none]\n    condition: {type: never}\n");
        String theirReplay = as(otherAdmin).header("Idempotency-Key", "deploy-42").contentType(ContentType.JSON)
                .body("{\"asset_id\":\"" + theirs + "\"}").post("/api/v1/pipelines/" + theirPipeline + "/run").then()
                .statusCode(201).extract().header("Idempotent-Replayed");
        assertNull(theirReplay);
        as(admin).header("Idempotency-Key", "x".repeat(256)).contentType(ContentType.JSON).body(body)
                .post("/api/v1/pipelines/" + p + "/run").then().statusCode(400);
        assertEquals(1, runsOf(p).size());
    }

    @Test
    void theScheduleListShowsLocalTimesAndOffsetsAcrossDaylightSaving() {
        clock("2026-03-27T12:00:00Z");
        String p = pipeline("berlin-nightly", schedule("nightly", "30 2 * * *", "    timezone: Europe/Berlin\n")
                + schedule("new-york", "30 1 * * *", "    timezone: America/New_York\n"));
        JsonPath listed = schedules(p);
        assertEquals("Europe/Berlin", listed.getString("items[0].timezone"));
        assertEquals("2026-03-28T01:30:00Z", listed.getString("items[0].next_fires[0].at"));
        assertEquals("2026-03-28T02:30+01:00", listed.getString("items[0].next_fires[0].local"));
        // 02:30 does not exist on 2026-03-29: the fire is at the end of the gap, 03:00 CEST
        assertEquals("2026-03-29T01:00:00Z", listed.getString("items[0].next_fires[1].at"));
        assertEquals("2026-03-29T03:00+02:00", listed.getString("items[0].next_fires[1].local"));
        assertEquals("+02:00", listed.getString("items[0].next_fires[2].utc_offset"));
        assertEquals("new-york", listed.getString("items[1].key"));
        assertEquals("-04:00", listed.getString("items[1].next_fires[0].utc_offset"));
        // the defaults are answered
        assertEquals("latest", listed.getString("items[0].catchup"));
        assertEquals("1h", listed.getString("items[0].catchup_window"));
        assertEquals("skip", listed.getString("items[0].overlap"));
        as(admin).get("/api/v1/pipelines/" + p + "/schedules/1").then().statusCode(200).body("key", equalTo("new-york"));
        as(TestTokens.admin(UUID.randomUUID())).get("/api/v1/pipelines/" + p + "/schedules").then().statusCode(404);
    }
}
