package dev.scanflow.webhook;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.template;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Signed webhooks against the real service and PostgreSQL, with GitHub's and GitLab's payload shapes. */
@QuarkusTest
class WebhookTest {

    @Inject
    Pool pool;
    @TestHTTPResource("/")
    URL base;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);
    private String pipeline;
    private String secret;
    private String githubPush;
    private String billing;

    private static String fixture(String name) throws Exception {
        return Files.readString(Path.of("src/test/resources/webhooks", name));
    }

    @BeforeEach
    void pipelineWithASecret() throws Exception {
        asset(admin, "repository", "webapp", "https://github.com/acme-corp/webapp");
        billing = asset(admin, "repository", "billing-api", "ssh://git@gitlab.acme.example/platform/billing-api.git");
        pipeline = template(admin, """
                name: on-push-%s
                triggers:
                  - type: webhook
                    name: main-pushes
                    events: [push]
                    filter: "(has(payload.ref) ? payload.ref : payload.data.ref) in ['refs/heads/main', 'refs/heads/release']"
                steps:
                  - id: quick
                    capabilities: [none]
                    condition: {type: never}
                """.formatted(UUID.randomUUID()));
        secret = as(admin).post("/api/v1/pipelines/" + pipeline + "/webhook-secret").then().statusCode(201)
                .header("Cache-Control", "no-store").body("secret", startsWith("whsec_"))
                .body("webhook_url", equalTo("/api/v1/webhooks/" + pipeline)).extract().path("secret");
        githubPush = fixture("github-push.json");
    }

    private ValidatableResponse github(String body, String deliveryId, String signWith) {
        return given().contentType("application/json").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", deliveryId)
                .header("X-Hub-Signature-256", WebhookSignatures.githubSignature(signWith, bytes(body))).body(bytes(body))
                .post("/api/v1/webhooks/" + pipeline).then();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private int runCount() {
        return pool.preparedQuery("SELECT count(*) AS n FROM pipeline_runs WHERE pipeline_id = $1")
                .execute(Tuple.of(UUID.fromString(pipeline))).await().atMost(Duration.ofSeconds(30)).iterator().next()
                .getInteger("n");
    }

    @Test
    void aSignedGithubPushStartsARunWithThePushsContextAndItsReplaysStartNothing() {
        JsonPath accepted = github(githubPush, "d-1", secret).statusCode(202).body("outcome", equalTo("started"))
                .body("event", equalTo("push")).body("replayed", equalTo(false)).extract().jsonPath();
        List<String> runs = accepted.getList("run_ids");
        assertEquals(1, runs.size());
        JsonPath run = awaitRun(admin, runs.get(0), "completed");
        assertEquals("webhook", run.getString("trigger_type"));
        assertTrue(run.getString("triggered_by").startsWith("webhook:on-push-"), run.getString("triggered_by"));
        assertEquals("main", run.getString("context.branch"));
        assertEquals("9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c", run.getString("context.commit"));
        assertEquals("dana-dev", run.getString("context.user"));

        // GitHub redelivers: the same delivery id
        github(githubPush, "d-1", secret).statusCode(202).body("outcome", equalTo("replayed"))
                .body("replayed", equalTo(true)).body("run_ids", equalTo(runs))
                .body("first_delivery", equalTo(accepted.getString("delivery")));
        // a replay of the same body under a new delivery id, within the replay window
        github(githubPush, "d-2", secret).statusCode(202).body("outcome", equalTo("replayed")).body("run_ids", equalTo(runs));
        assertEquals(1, runCount());

        JsonPath log = as(admin).get("/api/v1/pipelines/" + pipeline + "/webhook-deliveries").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(List.of("replayed", "replayed", "started"), log.getList("items.outcome"));
        assertEquals(List.of("d-2", "d-1", "d-1"), log.getList("items.delivery_id"));
        assertEquals("main-pushes", log.getString("items[2].trigger"));
        assertEquals(runs, log.getList("items[2].run_ids"));
        as(admin).get("/api/v1/pipelines/" + pipeline + "/webhook-deliveries?trigger=other").then().statusCode(200)
                .body("items.size()", equalTo(0));
    }

    @Test
    void aLoneSurrogateOrANulInADeliveryIsA422NamingWhereAndNothingIsWritten() {
        // JSON escapes, as a sender would write them: PostgreSQL's jsonb and text refuse both
        String surrogate = githubPush.replace("\"ref\": \"refs/heads/main\"", "\"ref\": \"\\ud800\"");
        String nul = githubPush.replace("\"clone_url\": \"https://github.com/Acme-Corp/WebApp.git\"",
                "\"clone_url\": \"https://github.com/Acme-Corp/WebApp\\u0000.git\"");
        String lowFirst = githubPush.replace("\"ref\": \"refs/heads/main\"", "\"ref\": \"refs/heads/main\\udc00\\ud800x\"");
        assertTrue(!surrogate.equals(githubPush) && !nul.equals(githubPush) && !lowFirst.equals(githubPush));
        github(surrogate, "bad-1", secret).statusCode(422).contentType("application/problem+json")
                .body("errors[0].path", equalTo("$.ref")).body("errors[0].message", containsString("surrogate"));
        github(nul, "bad-2", secret).statusCode(422).contentType("application/problem+json")
                .body("errors[0].path", equalTo("$.repository.clone_url"))
                .body("errors[0].message", containsString("NUL"));
        github(lowFirst, "bad-3", secret).statusCode(422).body("errors[0].path", equalTo("$.ref"));
        assertEquals(0, runCount());
        as(admin).get("/api/v1/pipelines/" + pipeline + "/webhook-deliveries").then().statusCode(200)
                .body("items.size()", equalTo(0));
        // a pair that makes one character is fine
        String pair = githubPush.replace("\"message\": \"Fix the login form's CSRF check\"",
                "\"message\": \"Fix \\ud83d\\udd12 CSRF check\"");
        github(pair, "good-1", secret).statusCode(202).body("outcome", equalTo("started"));
    }

    @Test
    void concurrentRedeliveriesStartOneRun() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(6);
        List<Future<List<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(threads.submit(() -> github(githubPush, "d-same", secret).statusCode(202).extract()
                    .jsonPath().<String>getList("run_ids")));
        }
        Set<List<String>> seen = new HashSet<>();
        for (Future<List<String>> f : answers) {
            seen.add(f.get());
        }
        threads.shutdown();
        assertEquals(1, seen.size(), "every answer names the same run: " + seen);
        assertEquals(1, runCount());
    }

    @Test
    void filteredUnknownAndUnlistedDeliveriesAnswer202WithTheReasonAndStartNothing() {
        github(githubPush.replace("refs/heads/main", "refs/heads/feature-x"), "f-1", secret).statusCode(202)
                .body("outcome", equalTo("filtered")).body("reason", containsString("the trigger's filter is false"))
                .body("run_ids.size()", equalTo(0));
        github(githubPush.replace("Acme-Corp/WebApp", "Acme-Corp/Unknown"), "f-2", secret).statusCode(202)
                .body("outcome", equalTo("unmatched")).body("reason", containsString("github.com/Acme-Corp/Unknown.git"));
        given().contentType("application/json").header("X-GitHub-Event", "issues").header("X-GitHub-Delivery", "f-3")
                .header("X-Hub-Signature-256", WebhookSignatures.githubSignature(secret, bytes("{\"action\":\"opened\"}")))
                .body(bytes("{\"action\":\"opened\"}")).post("/api/v1/webhooks/" + pipeline).then().statusCode(202)
                .body("outcome", equalTo("ignored")).body("reason", containsString("(push)"));
        assertEquals(0, runCount());
    }

    @Test
    void badOrMissingSignaturesAre401AndNothingHappens() {
        github(githubPush, "x-1", "whsec_not-the-secret").statusCode(401)
                .contentType("application/problem+json").body("detail", containsString("does not match"));
        given().contentType("application/json").header("X-GitHub-Event", "push").body(bytes(githubPush))
                .post("/api/v1/webhooks/" + pipeline).then().statusCode(401).body("detail", containsString("not signed"));
        given().contentType("application/json").header("X-GitHub-Event", "push").header("X-Hub-Signature-256", "md5=zz")
                .body(bytes(githubPush)).post("/api/v1/webhooks/" + pipeline).then().statusCode(400)
                .body("errors[0].path", equalTo("X-Hub-Signature-256"));
        given().contentType("application/json").header("X-Gitlab-Event", "Push Hook").header("X-Gitlab-Token", "guess")
                .body(bytes(fixture0())).post("/api/v1/webhooks/" + pipeline).then().statusCode(401);
        byte[] huge = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        given().contentType("application/json").header("X-GitHub-Event", "push")
                .header("X-Hub-Signature-256", WebhookSignatures.githubSignature(secret, huge)).body(huge)
                .post("/api/v1/webhooks/" + pipeline).then().statusCode(413);
        // fail closed: a pipeline without a secret, and an unknown pipeline, accept nothing
        as(admin).delete("/api/v1/pipelines/" + pipeline + "/webhook-secret").then().statusCode(204);
        github(githubPush, "x-2", secret).statusCode(401).body("detail", containsString("no webhook secret"));
        given().contentType("application/json").post("/api/v1/webhooks/" + UUID.randomUUID()).then().statusCode(401);
        given().contentType("application/json").post("/api/v1/webhooks/not-a-uuid").then().statusCode(404);
        assertEquals(0, runCount());
        assertEquals(0, as(admin).get("/api/v1/pipelines/" + pipeline + "/webhook-deliveries").then().statusCode(200)
                .extract().jsonPath().getList("items").size(), "refused deliveries are not logged as accepted");
    }

    private static String fixture0() {
        try {
            return fixture("gitlab-push.json");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aGitlabPushFindsTheRepositoryByAnyOfItsUrls() throws Exception {
        String body = fixture("gitlab-push.json");
        JsonPath accepted = given().contentType("application/json").header("X-Gitlab-Event", "Push Hook")
                .header("X-Gitlab-Token", secret).header("X-Gitlab-Event-UUID", "13792a34-cac6-4fda-95a8-c58e00a3954e")
                .body(bytes(body)).post("/api/v1/webhooks/" + pipeline).then().statusCode(202)
                .body("outcome", equalTo("started")).extract().jsonPath();
        JsonPath run = awaitRun(admin, accepted.getList("run_ids").get(0).toString(), "completed");
        assertEquals("release", run.getString("context.branch"));
        assertEquals("sam.ops", run.getString("context.user"));
        assertEquals(billing, run.getString("asset_id"), "the asset written as ssh://git@.../billing-api.git");
    }

    @Test
    void standardWebhooksWithTimestampsAndRotation() {
        String body = "{\"type\":\"push\",\"timestamp\":\"2026-12-01T10:00:00Z\",\"data\":{\"repository\":"
                + "\"https://github.com/Acme-Corp/WebApp\",\"ref\":\"refs/heads/main\",\"commit\":\"c0ffee\"}}";
        long now = Instant.now().getEpochSecond();
        standard(body, "msg_1", now, secret).statusCode(202).body("outcome", equalTo("started"));
        standard(body.replace("c0ffee", "c0ffee2"), "msg_2", now - 600, secret).statusCode(401)
                .body("errors[0].path", equalTo("webhook-timestamp"));

        // rotation: the previous secret stays valid for the grace period, both are accepted
        String rotated = as(admin).post("/api/v1/pipelines/" + pipeline + "/webhook-secret").then().statusCode(201)
                .body("previous_valid_until", org.hamcrest.Matchers.notNullValue()).extract().path("secret");
        standard(body.replace("c0ffee", "c1"), "msg_3", now, secret).statusCode(202).body("outcome", equalTo("started"));
        standard(body.replace("c0ffee", "c2"), "msg_4", now, rotated).statusCode(202).body("outcome", equalTo("started"));
        JsonPath meta = as(admin).get("/api/v1/pipelines/" + pipeline + "/webhook-secret").then().statusCode(200)
                .body("configured", equalTo(true)).body("secret", nullValue()).extract().jsonPath();
        assertTrue(meta.getString("previous_valid_until") != null);
        // once the grace period is over, the old secret is refused
        pool.preparedQuery("UPDATE webhook_secrets SET previous_valid_until = now() - interval '1 second' "
                + "WHERE pipeline_id = $1").execute(Tuple.of(UUID.fromString(pipeline))).await().indefinitely();
        standard(body.replace("c0ffee", "c3"), "msg_5", now, secret).statusCode(401);
        standard(body.replace("c0ffee", "c4"), "msg_6", now, rotated).statusCode(202);
        assertEquals(4, runCount());
        // a viewer sees the metadata, never the secret, and cannot rotate; another tenant sees nothing
        as(TestTokens.token(tenant, "viewer")).get("/api/v1/pipelines/" + pipeline + "/webhook-secret").then()
                .statusCode(200).body("secret", nullValue());
        as(TestTokens.token(tenant, "viewer")).post("/api/v1/pipelines/" + pipeline + "/webhook-secret").then()
                .statusCode(403);
        as(TestTokens.admin(UUID.randomUUID())).post("/api/v1/pipelines/" + pipeline + "/webhook-secret").then()
                .statusCode(404);
    }

    private ValidatableResponse standard(String body, String id, long timestamp, String key) {
        return given().contentType("application/json").header("webhook-id", id)
                .header("webhook-timestamp", String.valueOf(timestamp))
                .header("webhook-signature", "v1," + WebhookSignatures.standardSignature(key, id, timestamp, bytes(body)))
                .body(bytes(body)).post("/api/v1/webhooks/" + pipeline).then();
    }

    @Test
    void theReadmesOpensslSignedCurlIsAccepted() throws Exception {
        // the README's example, run as written: openssl signs the body, curl delivers it
        Path body = Files.createTempFile("push", ".json");
        Files.writeString(body, githubPush);
        String script = """
                SIG="sha256=$(openssl dgst -sha256 -hmac "$SECRET" < "$BODY" | sed 's/^.* //')"
                curl -s -X POST "$SCANFLOW/api/v1/webhooks/$PIPELINE" \\
                  -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \\
                  -H "X-GitHub-Delivery: $(uuidgen || cat /proc/sys/kernel/random/uuid)" \\
                  -H "X-Hub-Signature-256: $SIG" --data-binary @"$BODY"
                """;
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true);
        pb.environment().putAll(Map.of("SECRET", secret, "BODY", body.toString(), "PIPELINE", pipeline, "SCANFLOW",
                base.toString().replaceAll("/$", "")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("\"outcome\":\"started\""), out);
        Files.delete(body);
    }
}
