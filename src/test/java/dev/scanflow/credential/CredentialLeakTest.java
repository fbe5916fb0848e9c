package dev.scanflow.credential;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.template;
import static dev.scanflow.support.Runs.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.protocol.Subjects;
import dev.scanflow.support.Api;
import dev.scanflow.support.LogCapture;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Issue 22's leak, repeated with credentials: a private repository's token and a DAST login go
 * through a whole run (a worker that asks for them, logs, results, events, a notification), and
 * afterwards neither is anywhere Scanflow keeps or shows things: no table but its own sealed row
 * (where it is ciphertext), no JetStream stream's messages, no answer of any role, no line of the
 * service's log. The worker did get both, so the search is not vacuous.
 */
@QuarkusTest
class CredentialLeakTest {

    private static final String SALT = UUID.randomUUID().toString().replace("-", "");
    private static final String TOKEN = "ghp_Leak" + SALT;
    private static final String HEADER = "Bearer leak." + SALT;

    @Inject
    Pool pool;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    /** Every spelling of the values that would count as a leak. */
    private static List<String> spellings() {
        List<String> out = new ArrayList<>();
        for (String v : List.of(TOKEN, HEADER)) {
            out.add(v);
            out.add(Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)));
            out.add(HexFormat.of().formatHex(v.getBytes(StandardCharsets.UTF_8)));
            out.add(SALT);
        }
        return out;
    }

    private static void assertClean(String where, String text) {
        for (String s : spellings()) {
            assertFalse(text.contains(s), where + " holds a credential's value: " + text);
        }
    }

    @Test
    void aRunWithCredentialsLeavesTheirValuesNowhere() throws Exception {
        Subjects subjects = new Subjects(TestWorker.PREFIX, "SCANFLOWTEST");
        try (LogCapture log = LogCapture.start();
                Connection nats = Nats.connect("nats://127.0.0.1:4222")) {
            JetStreamManagement jsm = nats.jetStreamManagement();
            Map<String, Long> before = new LinkedHashMap<>();
            for (String stream : jsm.getStreamNames()) {
                before.put(stream, jsm.getStreamInfo(stream).getStreamState().getLastSequence());
            }

            as(admin).contentType(ContentType.JSON).body("{\"name\": \"leak-hook\", \"type\": \"webhook\", \"url\": "
                    + "\"http://127.0.0.1:9/hook\"}").post("/api/v1/notification-channels").then().statusCode(201);
            as(admin).contentType(ContentType.JSON).body("{\"name\": \"leak-token\", \"kind\": \"git_token\", \"username\": "
                    + "\"ci-bot\", \"value\": \"" + TOKEN + "\", \"scope\": [\"git.example.com/acme/*\"]}")
                    .post("/api/v1/credentials").then().statusCode(201);
            as(admin).contentType(ContentType.JSON).body("{\"name\": \"leak-login\", \"kind\": \"http_header\", \"header\": "
                    + "\"Authorization\", \"value\": \"" + HEADER + "\", \"scope\": [\"git.example.com\"]}")
                    .post("/api/v1/credentials").then().statusCode(201);
            String assetId = as(admin).contentType(ContentType.JSON).body("{\"type\": \"repository\", \"name\": "
                    + "\"acme/leaky\", \"url\": \"https://git.example.com/acme/leaky.git\", \"credentials\": [\"leak-token\"]}")
                    .post("/api/v1/assets").then().statusCode(201).extract().path("id");
            String pipeline = template(admin, "name: leak-hunt\nsettings:\n  notification: {on_completion: true, "
                    + "channels: [leak-hook]}\nsteps:\n  - id: checkout\n    capabilities: [credleak]\n"
                    + "  - id: dast\n    capabilities: [credleak]\n    depends_on: [checkout]\n"
                    + "    config: {auth: {credential: leak-login}}\n");

            List<JsonNode> replies = new CopyOnWriteArrayList<>();
            String runId;
            String workerId;
            try (TestWorker worker = TestWorker.dedicated(tenant, "credleak", null)) {
                workerId = worker.id();
                worker.onScan((w, cmd) -> {
                    w.running(cmd);
                    replies.add(w.requestCredentials(cmd.path("id").asText()));
                    w.log(cmd, 1, "$ git clone --depth 1 --quiet -- https://git.example.com/acme/leaky.git");
                    w.log(cmd, 2, "scanned with the credentials it was given");
                    w.complete(cmd, 1, Map.of("tool", "test"));
                });
                runId = trigger(admin, pipeline, assetId);
                awaitRun(admin, runId, "completed");
            }
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> count(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE run_id = $1", UUID.fromString(runId)) > 0);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> count(
                    "SELECT count(*) AS n FROM step_logs WHERE run_id = $1", UUID.fromString(runId)) >= 4);

            // the worker did get both values, for the commands that named them
            assertEquals(2, replies.size(), replies.toString());
            assertTrue(replies.get(0).toString().contains(TOKEN) && !replies.get(0).toString().contains(HEADER),
                    "checkout: the token only");
            assertTrue(replies.get(1).toString().contains(TOKEN) && replies.get(1).toString().contains(HEADER),
                    "dast: the token (the asset's) and the login (the step's)");

            // every table (the sealed rows are ciphertext); and the tables that had something to say did
            assertTrue(count("SELECT count(*) AS n FROM commands WHERE run_id = $1", UUID.fromString(runId)) >= 2);
            assertTrue(count("SELECT count(*) AS n FROM run_events WHERE run_id = $1", UUID.fromString(runId)) >= 2);
            List<String> tables = new ArrayList<>();
            pool.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                    + "AND table_type = 'BASE TABLE'").execute().await().indefinitely()
                    .forEach(r -> tables.add(r.getString("table_name")));
            assertTrue(tables.containsAll(List.of("commands", "step_logs", "run_events", "notification_deliveries",
                    "scan_credentials", "assets", "pipeline_runs", "step_runs")), tables.toString());
            for (String table : tables) {
                for (String s : spellings()) {
                    assertEquals(0, count("SELECT count(*) AS n FROM \"" + table + "\" t WHERE t::text LIKE '%' || $1 || '%'", s),
                            "table " + table + " holds a credential's value");
                }
            }

            // every stream: no stream keeps credential requests or replies, and no message published since holds a value
            int read = 0;
            for (String stream : jsm.getStreamNames()) {
                var info = jsm.getStreamInfo(stream);
                for (String subject : info.getConfiguration().getSubjects()) {
                    assertFalse(covers(subject, subjects.credentials(workerId)), stream + " captures credential requests");
                    assertFalse(covers(subject, subjects.inbox(workerId) + ".reply"), stream + " captures replies");
                }
                long last = info.getStreamState().getLastSequence();
                for (long seq = before.getOrDefault(stream, 0L) + 1; seq <= last; seq++) {
                    MessageInfo m;
                    try {
                        m = jsm.getMessage(stream, seq);
                    } catch (JetStreamApiException e) {
                        continue; // deleted (a stream's limits)
                    }
                    assertClean(stream + " #" + seq + " " + m.getSubject(), (m.getData() == null ? ""
                            : new String(m.getData(), StandardCharsets.UTF_8)) + " " + m.getHeaders());
                    read++;
                }
            }
            assertTrue(read >= 8, "the run's commands, results, logs and events were read back: " + read);

            // every answer of every role
            for (String token : List.of(admin, TestTokens.token(tenant, "operator"), TestTokens.token(tenant, "viewer"))) {
                for (String path : List.of("/api/v1/pipeline-runs/" + runId, "/api/v1/pipeline-runs/" + runId + "/steps",
                        "/api/v1/pipeline-runs/" + runId + "/steps/checkout/logs",
                        "/api/v1/pipeline-runs/" + runId + "/steps/dast/logs", "/api/v1/pipeline-runs/" + runId + "/history",
                        "/api/v1/pipeline-runs/" + runId + "/notifications", "/api/v1/pipeline-runs?limit=200",
                        "/api/v1/assets/" + assetId, "/api/v1/assets", "/api/v1/credentials",
                        "/api/v1/credentials/leak-token", "/api/v1/credentials/leak-login", "/api/v1/pipelines/" + pipeline,
                        "/api/v1/notification-channels", "/api/v1/workers/" + workerId)) {
                    var r = as(token).get(path);
                    assertEquals(200, r.statusCode(), path + " " + r.asString());
                    assertClean("GET " + path, r.asString());
                }
            }

            // the service's log: what was released to whom, never what
            List<String> lines = log.lines();
            assertTrue(lines.stream().anyMatch(l -> l.contains("released to worker " + workerId) && l.contains("leak-login")),
                    "the log says what was released");
            for (String line : lines) {
                assertClean("the service log", line);
            }
        }
    }

    private long count(String sql, Object param) {
        Row r = pool.preparedQuery(sql).execute(Tuple.of(param)).await().indefinitely().iterator().next();
        return r.getLong("n");
    }

    /** Whether a stream subject (with * and >) covers a subject. */
    static boolean covers(String pattern, String subject) {
        String[] p = pattern.split("\\.");
        String[] s = subject.split("\\.");
        for (int i = 0; i < p.length; i++) {
            if (p[i].equals(">")) {
                return s.length > i;
            }
            if (i >= s.length || !(p[i].equals("*") || p[i].equals(s[i]))) {
                return false;
            }
        }
        return p.length == s.length;
    }
}
