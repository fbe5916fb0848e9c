package dev.scanflow.notification;

import static dev.scanflow.support.Api.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.scanflow.support.Api;
import dev.scanflow.support.Runs;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Notifications end to end against real local peers: an HTTP receiver standing in for Slack and
 * a SIEM webhook, and GreenMail as the SMTP server (127.0.0.1:3025, the test profile's mailer).
 */
@QuarkusTest
class NotificationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static GreenMail smtp;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);
    private Receiver receiver;
    private TestWorker worker;

    @BeforeEach
    void peers() throws Exception {
        synchronized (NotificationTest.class) {
            if (smtp == null) {
                smtp = new GreenMail(new ServerSetup(3025, "127.0.0.1", "smtp"));
                smtp.start();
            }
        }
        receiver = new Receiver();
        worker = TestWorker.dedicated(tenant, "sast", "semgrep");
    }

    @AfterEach
    void close() throws Exception {
        receiver.close();
        worker.close();
    }

    private JsonPath channel(Map<String, Object> body) {
        return as(admin).contentType("application/json").body(body).post("/api/v1/notification-channels")
                .then().statusCode(201).extract().jsonPath();
    }

    private String pipeline(String channels, String extra) {
        return Runs.template(admin, """
                name: notified-%s
                steps:
                  - {id: sast, tool: semgrep, capabilities: [sast]}
                  - {id: later, tool: semgrep, capabilities: [sast], depends_on: [sast], condition: "asset.type == 'web_application'"}
                settings:
                  notification:
                    on_completion: true
                    on_failure: true
                    channels: %s
                    %s
                """.formatted(UUID.randomUUID(), channels, extra));
    }

    private JsonPath awaitDeliveries(String runId, int count, String... statuses) {
        List<String> wanted = List.of(statuses);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<String> st = as(admin).get("/api/v1/pipeline-runs/" + runId + "/notifications").jsonPath().getList("items.status");
            return st.size() == count && wanted.containsAll(st);
        });
        return as(admin).get("/api/v1/pipeline-runs/" + runId + "/notifications").jsonPath();
    }

    @Test
    void channelsAreCreatedWithWriteOnlySecretsAndCheckedTargets() {
        JsonPath hook = channel(Map.of("name", "siem", "type", "webhook", "url", receiver.url("/siem?token=abc")));
        assertTrue(hook.getString("secret").startsWith("whsec_"), hook.prettify());
        assertEquals(32, Base64.getDecoder().decode(hook.getString("secret").substring(6)).length);
        as(admin).get("/api/v1/notification-channels/siem").then().statusCode(200)
                .body("url", equalTo("http://127.0.0.1:" + receiver.url("/").split(":")[2].split("/")[0] + "/…"))
                .body("secret", nullValue())
                .body("signed", equalTo(true));
        as(admin).get("/api/v1/notification-channels").then().body("items.name", hasItems("siem"))
                .body(not(containsString("token=abc")));
        as(admin).contentType("application/json").body(Map.of("name", "siem", "type", "slack", "url", receiver.url("/x")))
                .post("/api/v1/notification-channels").then().statusCode(409);
        as(admin).contentType("application/json").body(Map.of("name", "Bad Name", "type", "pager", "url", "ftp://x",
                        "recipients", List.of("x")))
                .post("/api/v1/notification-channels").then().statusCode(422)
                .body("errors.path", hasItems("$.name", "$.type"));
        as(admin).contentType("application/json").body(Map.of("name", "mail", "type", "email", "recipients",
                        List.of("sec@example.com", "not-an-address")))
                .post("/api/v1/notification-channels").then().statusCode(422)
                .body("errors[0].path", equalTo("$.recipients[1]"));
        // cloud metadata is refused even with private targets allowed (this test profile)
        as(admin).contentType("application/json").body(Map.of("name", "meta", "type", "webhook",
                        "url", "http://169.254.169.254/latest/meta-data"))
                .post("/api/v1/notification-channels").then().statusCode(422)
                .body("errors[0].path", equalTo("$.url")).body("errors[0].message", containsString("never allowed"));
        // a viewer sees channels but cannot make them
        as(TestTokens.token(tenant, "viewer")).contentType("application/json")
                .body(Map.of("name", "v", "type", "slack", "url", receiver.url("/v"))).post("/api/v1/notification-channels")
                .then().statusCode(403);
        // another tenant sees none of them
        as(TestTokens.admin(Api.newTenant())).get("/api/v1/notification-channels/siem").then().statusCode(404);
        as(admin).delete("/api/v1/notification-channels/siem").then().statusCode(204);
        as(admin).get("/api/v1/notification-channels/siem").then().statusCode(404);
    }

    @Test
    void aTemplateMayNameKindsOrItsChannelsButNoOthers() {
        channel(Map.of("name", "sec-slack", "type", "slack", "url", receiver.url("/slack")));
        as(admin).contentType("application/yaml").body("""
                name: bad-channels
                steps: [{id: a, tool: semgrep, capabilities: [sast]}]
                settings: {notification: {on_failure: true, channels: [slack, sec-slack, pagerduty, email]}}
                """).post("/api/v1/pipelines").then().statusCode(422)
                .body("errors.path", equalTo(List.of("$.settings.notification.channels[2]")))
                .body("errors[0].message", containsString("'pagerduty'"));
        pipeline("[slack, sec-slack, email, webhook]", "");
        // a name as long as a template may write one can be created (the two rules had drifted:
        // 63 for channels, 64 in templates); one character more is refused in both places
        String longest = "c".repeat(64);
        channel(Map.of("name", longest, "type", "slack", "url", receiver.url("/slack")));
        pipeline("[" + longest + "]", "");
        as(admin).contentType("application/json").body(Map.of("name", longest + "c", "type", "slack", "url",
                receiver.url("/slack"))).post("/api/v1/notification-channels").then().statusCode(422)
                .body("errors[0].path", equalTo("$.name"));
    }

    @Test
    void aRunsEndReachesSlackASignedWebhookAndEmailOnceEach() throws Exception {
        channel(Map.of("name", "sec-slack", "type", "slack", "url", receiver.url("/slack")));
        String secret = channel(Map.of("name", "siem", "type", "webhook", "url", receiver.url("/siem"))).getString("secret");
        String to = "sec-" + UUID.randomUUID() + "@example.com";
        channel(Map.of("name", "sec-mail", "type", "email", "recipients", List.of(to)));
        worker.onScan((w, cmd) -> w.complete(cmd, 4, Map.of()));
        String runId = Runs.trigger(admin, pipeline("[slack, siem, email]", ""), Runs.asset(admin, "repository",
                "acme/api-" + UUID.randomUUID(), null));
        Runs.awaitRun(admin, runId, "completed");
        JsonPath d = awaitDeliveries(runId, 3, "delivered");
        assertEquals(List.of(1, 1, 1), d.getList("items.attempts"));

        // Slack: Block Kit, the run's facts, each step, a link
        Receiver.Request slack = receiver.at("/slack").get(0);
        JsonNode message = JSON.readTree(slack.body());
        assertEquals("header", message.path("blocks").get(0).path("type").asText());
        assertTrue(message.path("text").asText().contains(": COMPLETED (4 findings)"), slack.body());
        assertTrue(slack.body().contains("*sast* completed — 4 findings"), slack.body());
        assertTrue(slack.body().contains("*later* skipped — Condition not met"), slack.body());
        assertTrue(slack.body().contains("/api/v1/pipeline-runs/" + runId), slack.body());

        // the webhook: the run event, signed as Standard Webhooks documents it
        Receiver.Request hook = receiver.at("/siem").get(0);
        String id = hook.header("webhook-id");
        String ts = hook.header("webhook-timestamp");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        String expected = "v1," + Base64.getEncoder().encodeToString(
                mac.doFinal((id + "." + ts + "." + hook.body()).getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, hook.header("webhook-signature"));
        assertTrue(id.startsWith("run_" + runId + "_completed_"), id);
        JsonNode event = JSON.readTree(hook.body());
        assertEquals("pipeline.run.completed", event.path("event").asText());
        assertEquals(4, event.path("data").path("total_findings").asInt());

        // email: plain text and HTML, to the channel's recipients
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> List.of(smtp.getReceivedMessagesForDomain("example.com"))
                .stream().anyMatch(m -> recipients(m).contains(to)));
        MimeMessage mail = List.of(smtp.getReceivedMessagesForDomain("example.com")).stream()
                .filter(m -> recipients(m).contains(to)).findFirst().orElseThrow();
        assertTrue(mail.getSubject().startsWith("[Scanflow] notified-") && mail.getSubject().endsWith(": COMPLETED (4 findings)"),
                mail.getSubject());
        String all = GreenMailUtil.getWholeMessage(mail);
        assertTrue(all.contains("text/plain") && all.contains("text/html"), all);
        MimeMultipart parts = (MimeMultipart) mail.getContent();
        assertTrue(parts.getCount() >= 1);

        // nothing is sent twice: another planner and sender pass later, still one each
        String second = Runs.trigger(admin, pipeline("[siem]", ""), Runs.asset(admin, "repository", "two-" + UUID.randomUUID(), null));
        awaitDeliveries(second, 1, "delivered");
        assertEquals(1, receiver.at("/slack").size());
        assertEquals(1, receiver.at("/siem").stream().filter(r -> r.header("webhook-id").equals(id)).count());
    }

    private static String recipients(MimeMessage m) {
        try {
            return GreenMailUtil.getAddressList(m.getAllRecipients());
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void retriesHonourRetryAfterAndASlowChannelDelaysNoOther() {
        channel(Map.of("name", "flaky", "type", "webhook", "url", receiver.url("/flaky")));
        channel(Map.of("name", "hang", "type", "webhook", "url", receiver.url("/hang")));
        channel(Map.of("name", "fine", "type", "webhook", "url", receiver.url("/fine")));
        channel(Map.of("name", "gone", "type", "slack", "url", receiver.url("/gone")));
        receiver.answer("/flaky", new Receiver.Answer(429, "slow down", Map.of("Retry-After", "1"), 0),
                Receiver.Answer.of(500));
        receiver.answer("/hang", new Receiver.Answer(200, "", Map.of(), 5_000)); // beyond the 3 s request timeout
        receiver.answer("/gone", new Receiver.Answer(404, "no_service", Map.of(), 0));
        String runId = Runs.trigger(admin, pipeline("[webhook, slack]", ""), Runs.asset(admin, "repository",
                "r-" + UUID.randomUUID(), null));
        Runs.awaitRun(admin, runId, "completed");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receiver.at("/fine").size() == 1);
        long fineAt = receiver.at("/fine").get(0).at();
        JsonPath d = awaitDeliveries(runId, 4, "delivered", "failed");
        JsonPath flaky = new JsonPath(d.prettify()).setRootPath("items.find { it.channel == 'flaky' }");
        assertEquals("delivered", flaky.getString("status"));
        assertEquals(3, flaky.getInt("attempts"));
        List<Receiver.Request> tries = receiver.at("/flaky");
        assertEquals(3, tries.size());
        assertTrue(tries.get(1).at() - tries.get(0).at() >= 900, "Retry-After: 1 was honoured");
        JsonPath hang = new JsonPath(d.prettify()).setRootPath("items.find { it.channel == 'hang' }");
        assertEquals("delivered", hang.getString("status"));
        assertTrue(hang.getInt("attempts") >= 2, d.prettify());
        // the hanging channel did not hold the others back
        assertTrue(fineAt < receiver.at("/hang").get(0).at(), "fine before the hang answered");
        JsonPath gone = new JsonPath(d.prettify()).setRootPath("items.find { it.channel == 'gone' }");
        assertEquals("failed", gone.getString("status"));
        assertEquals(1, gone.getInt("attempts"));
        assertEquals(404, gone.getInt("last_status"));
        assertTrue(gone.getString("last_error").contains("no_service"));
    }

    @Test
    void oneSlackWebhookGetsAtMostOneMessageASecond() {
        channel(Map.of("name", "busy", "type", "slack", "url", receiver.url("/busy")));
        String pipeline = pipeline("[busy]", "");
        List<String> runs = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(Runs.trigger(admin, pipeline, Runs.asset(admin, "repository", "busy-" + UUID.randomUUID(), null)));
        }
        for (String run : runs) {
            Runs.awaitRun(admin, run, "completed");
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> receiver.at("/busy").size() == 3);
        List<Long> at = receiver.at("/busy").stream().map(Receiver.Request::at).sorted().toList();
        assertTrue(at.get(1) - at.get(0) >= 900 && at.get(2) - at.get(1) >= 900, "spaced by the Slack interval: " + at);
    }

    @Test
    void aChannelCanBeTested() {
        channel(Map.of("name", "ok", "type", "slack", "url", receiver.url("/ok")));
        channel(Map.of("name", "broken", "type", "webhook", "url", receiver.url("/broken")));
        receiver.answer("/broken", new Receiver.Answer(500, "boom", Map.of(), 0));
        as(admin).post("/api/v1/notification-channels/ok/test").then().statusCode(200)
                .body("status", equalTo("delivered")).body("event", equalTo("notification.test"));
        assertTrue(receiver.at("/ok").get(0).body().contains("Scanflow test message"));
        as(admin).post("/api/v1/notification-channels/broken/test").then().statusCode(200)
                .body("status", equalTo("failed")).body("last_status", equalTo(500))
                .body("last_error", startsWith("HTTP 500"));
        as(admin).post("/api/v1/notification-channels/nope/test").then().statusCode(404);
    }

    @Test
    void onStateChangeSendsTheFirstFailureAndTheRecoveryOnly() throws Exception {
        channel(Map.of("name", "changes", "type", "webhook", "url", receiver.url("/changes")));
        String pipeline = pipeline("[changes]", "on_state_change: true");
        String asset = Runs.asset(admin, "repository", "nightly-" + UUID.randomUUID(), null);
        List<Boolean> outcomes = List.of(false, false, true, true, false);
        List<String> runs = new java.util.ArrayList<>();
        for (boolean ok : outcomes) {
            worker.onScan((w, cmd) -> {
                if (ok) {
                    w.complete(cmd, 0, Map.of());
                } else {
                    w.fail(cmd, "EXIT_2", "broken");
                }
            });
            String run = Runs.trigger(admin, pipeline, asset);
            Runs.awaitRun(admin, run, "completed", "failed");
            runs.add(run);
        }
        // fail (the first failure: sent), fail (no change), ok (the recovery: sent), ok (no change), fail (sent);
        // deliveries to one channel may arrive in any order: each carries its run and timestamp
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> receiver.at("/changes").size() == 3);
        java.util.Set<String> announced = new java.util.HashSet<>();
        for (Receiver.Request r : receiver.at("/changes")) {
            announced.add(JSON.readTree(r.body()).path("data").path("run_id").asText());
        }
        assertEquals(java.util.Set.of(runs.get(0), runs.get(2), runs.get(4)), announced);
        for (int i : List.of(1, 3)) {
            as(admin).get("/api/v1/pipeline-runs/" + runs.get(i) + "/notifications").then().statusCode(200)
                    .body("items", org.hamcrest.Matchers.empty());
        }
    }

    @Test
    void onNewFindingsAnnouncesOnlyRunsWithNewFindingsAtOrAboveItsSeverityAndSaysWhatChanged() throws Exception {
        channel(Map.of("name", "news", "type", "webhook", "url", receiver.url("/news")));
        String pipeline = pipeline("[news]", "on_new_findings: high");
        String asset = Runs.asset(admin, "repository", "news-" + UUID.randomUUID(), null);
        dev.scanflow.protocol.Finding high = new dev.scanflow.protocol.Finding("semgrep", "sqli", "SQL injection", "high",
                "code", dev.scanflow.protocol.Finding.Location.code("app.py", 3, 3, "cursor.execute(q % x)"), List.of(),
                null, null, null);
        dev.scanflow.protocol.Finding low = new dev.scanflow.protocol.Finding("semgrep", "md5", "weak hash", "low", "code",
                dev.scanflow.protocol.Finding.Location.code("util.py", 8, 8, "md5(x)"), List.of(), null, null, null);
        List<List<dev.scanflow.protocol.Finding>> sets = List.of(List.of(high), List.of(high), List.of(high, low), List.of(low));
        List<String> runs = new java.util.ArrayList<>();
        for (List<dev.scanflow.protocol.Finding> set : sets) {
            worker.onScan((w, cmd) -> w.completeWithFindings(cmd, set, 10, Map.of("tool", "semgrep")));
            String run = Runs.trigger(admin, pipeline, asset);
            Runs.awaitRun(admin, run, "completed", "failed");
            runs.add(run);
        }
        // new high (sent); nothing new; a new low only; the high fixed, nothing new: only the first is news
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> receiver.at("/news").size() >= 1);
        JsonNode data = JSON.readTree(receiver.at("/news").get(0).body()).path("data");
        assertEquals(runs.get(0), data.path("run_id").asText());
        assertEquals("1 new (1 high), 0 fixed, 0 unchanged", data.path("changes").asText());
        assertEquals(1, data.path("new_findings_count").asInt());
        for (int i : List.of(1, 2, 3)) {
            as(admin).get("/api/v1/pipeline-runs/" + runs.get(i) + "/notifications").then().statusCode(200)
                    .body("items", org.hamcrest.Matchers.empty());
        }
        assertEquals(1, receiver.at("/news").size());
        JsonPath last = as(admin).get("/api/v1/pipeline-runs/" + runs.get(3) + "/findings/summary").jsonPath();
        assertEquals(List.of(0, 1, 1), List.of(last.getInt("new_findings_count"), last.getInt("fixed_findings_count"),
                last.getInt("unchanged_findings_count")), "the last run fixed the high and found nothing new");
    }
}
