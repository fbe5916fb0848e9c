package dev.scanflow.credential;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.template;
import static dev.scanflow.support.Runs.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.protocol.CredentialRequest;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The credential listener over real NATS: the worker a command was given gets the values of the
 * credentials it references while its step runs; any other request gets an error and no value.
 */
@QuarkusTest
class CredentialListenerTest {

    private static final String TOKEN = "ghp_ListenerSecret0000000000000000000001";
    private static final String HEADER = "Bearer listener-secret-header-value-0002";

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    private void credential(String json) {
        as(admin).contentType(ContentType.JSON).body(json).post("/api/v1/credentials").then().statusCode(201);
    }

    private String asset(String json) {
        return as(admin).contentType(ContentType.JSON).body(json).post("/api/v1/assets").then().statusCode(201)
                .extract().path("id");
    }

    private static void assertRefused(JsonNode reply, String why) {
        assertNotNull(reply, "a reply");
        assertTrue(reply.path("error").asText().contains(why), reply.toString());
        assertTrue(reply.path("credentials").isMissingNode() || reply.path("credentials").isEmpty(), reply.toString());
        assertFalse(reply.toString().contains(TOKEN) || reply.toString().contains(HEADER), reply.toString());
    }

    @Test
    void theWorkerOfARunningCommandGetsItsCredentialsAndNobodyElseDoes() throws Exception {
        credential("{\"name\": \"repo-token\", \"kind\": \"git_token\", \"value\": \"" + TOKEN
                + "\", \"scope\": [\"git.example.com/acme/*\"]}");
        credential("{\"name\": \"repo-login\", \"kind\": \"http_header\", \"header\": \"Authorization\", \"value\": \""
                + HEADER + "\", \"scope\": [\"https://git.example.com/\"], \"usable_by\": [\"creds-listener\"]}");
        String assetId = asset("{\"type\": \"repository\", \"name\": \"acme/private\", \"url\": "
                + "\"https://git.example.com/acme/private.git\", \"credentials\": [\"repo-token\"]}");
        String pipeline = template(admin, "name: creds-listener\nsteps:\n  - id: scan\n    capabilities: [credtest-a]\n"
                + "    config: {auth: {credential: repo-login}}\n");
        Map<String, JsonNode> replies = new ConcurrentHashMap<>();
        try (TestWorker other = TestWorker.dedicated(tenant, "credtest-other", null);
                TestWorker worker = TestWorker.dedicated(tenant, "credtest-a", null)) {
            worker.onScan((w, cmd) -> {
                w.running(cmd); // before the ack timeout: the requests below take seconds
                String id = cmd.path("id").asText();
                replies.put("own", w.requestCredentials(id));
                replies.put("other worker", other.requestCredentials(id));
                // w asks on other's subject: the reply would go to w's inbox, not other's: no answer at all
                JsonNode impersonated = w.request(other.subjects().credentials(other.id()), new CredentialRequest(id));
                replies.put("impersonated", impersonated == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance()
                        : impersonated);
                replies.put("unknown", w.requestCredentials(UUID.randomUUID().toString()));
                replies.put("garbage", w.request(w.subjects().credentials(w.id()), "not json".getBytes()));
                w.complete(cmd, 0, Map.of());
            });
            awaitRun(admin, trigger(admin, pipeline, assetId), "completed");
            JsonNode cmd = worker.commands().get(0);
            // the command names its credentials, and holds no value
            assertEquals(List.of(Map.of("name", "repo-token", "kind", "git_token", "use", "checkout"),
                    Map.of("name", "repo-login", "kind", "http_header", "use", "target")),
                    new com.fasterxml.jackson.databind.ObjectMapper().convertValue(cmd.path("payload").path("credentials"),
                            List.class));
            assertFalse(cmd.toString().contains(TOKEN) || cmd.toString().contains(HEADER), cmd.toString());

            JsonNode own = replies.get("own");
            assertNull(own.get("error"), own.toString());
            assertEquals(cmd.path("id").asText(), own.path("command_id").asText());
            JsonNode checkout = own.path("credentials").get(0);
            assertEquals("repo-token", checkout.path("name").asText());
            assertEquals("checkout", checkout.path("use").asText());
            assertEquals("x-access-token", checkout.path("username").asText());
            assertEquals(TOKEN, checkout.path("value").asText());
            JsonNode target = own.path("credentials").get(1);
            assertEquals("target", target.path("use").asText());
            assertEquals("Authorization", target.path("header").asText());
            assertEquals(HEADER, target.path("value").asText());

            assertRefused(replies.get("other worker"), "was given to worker " + other.id());
            assertTrue(replies.get("impersonated").isNull(), "a reply outside the worker's inbox: " + replies.get("impersonated"));
            assertRefused(replies.get("unknown"), "no scan command");
            assertRefused(replies.get("garbage"), "unreadable request");
            // the step has ended: its command gets nothing any more
            assertRefused(worker.requestCredentials(cmd.path("id").asText()), "no longer queued or running");
        }
    }

    @Test
    void outOfScopeUnusableAndUnreferencedCredentialsAreRefused() throws Exception {
        credential("{\"name\": \"app-login\", \"kind\": \"http_basic\", \"username\": \"scanner\", \"value\": \"" + TOKEN
                + "\", \"scope\": [\"https://app.example.com/\"]}");
        credential("{\"name\": \"other-only\", \"kind\": \"cookie\", \"value\": \"" + TOKEN.replace('0', '9')
                + "\", \"usable_by\": [\"some-other-pipeline\"]}");
        String assetId = asset("{\"type\": \"web_application\", \"name\": \"elsewhere\", \"url\": "
                + "\"https://elsewhere.example.com/\"}");
        String pipeline = template(admin, "name: creds-refused\nsteps:\n"
                + "  - id: outofscope\n    capabilities: [credtest-b]\n    config: {auth: {credential: app-login}}\n"
                + "  - id: unusable\n    capabilities: [credtest-b]\n    config: {auth: {credential: other-only}}\n"
                + "  - id: plain\n    capabilities: [credtest-b]\n");
        Map<String, JsonNode> replies = new ConcurrentHashMap<>();
        try (TestWorker worker = TestWorker.dedicated(tenant, "credtest-b", null)) {
            worker.onScan((w, cmd) -> {
                w.running(cmd);
                replies.put(cmd.path("payload").path("step_id").asText(), w.requestCredentials(cmd.path("id").asText()));
                w.fail(cmd, "CREDENTIALS_UNAVAILABLE", "the credentials were refused");
            });
            awaitRun(admin, trigger(admin, pipeline, assetId), "failed");
            assertRefused(replies.get("outofscope"), "credential 'app-login' is out of scope for the command's target");
            assertRefused(replies.get("unusable"), "credential 'other-only' may not be used by pipeline 'creds-refused'");
            assertRefused(replies.get("plain"), "references no credentials");
        }
    }
}
