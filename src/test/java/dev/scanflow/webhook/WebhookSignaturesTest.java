package dev.scanflow.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookSignaturesTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String OLD = "whsec_oldoldoldoldoldoldoldoldoldoldold=";
    private static final byte[] BODY = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    private static WebhookSignatures.Verified verify(Map<String, String> headers, List<String> secrets) throws Exception {
        return WebhookSignatures.verify(WebhookSignatures.headers(headers), BODY, secrets, NOW, FIVE_MINUTES);
    }

    private static WebhookSignatures.Refused refused(Map<String, String> headers, List<String> secrets) {
        return assertThrows(WebhookSignatures.Refused.class, () -> verify(headers, secrets));
    }

    @Test
    void githubSignatureOfTheRawBody() throws Exception {
        // the documented example of GitHub ("Validating webhook deliveries"): secret "It's a Secret to Everybody",
        // payload "Hello, World!"
        assertEquals("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
                WebhookSignatures.githubSignature("It's a Secret to Everybody", "Hello, World!".getBytes(StandardCharsets.UTF_8)));
        Map<String, String> h = Map.of("X-Hub-Signature-256", WebhookSignatures.githubSignature(SECRET, BODY),
                "X-GitHub-Event", "push", "X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
        WebhookSignatures.Verified v = verify(h, List.of(SECRET));
        assertEquals(new WebhookSignatures.Verified("github", "push", "72d3162e-cc78-11e3-81ab-4c9367dc0958"), v);
        // header names are case-insensitive
        Map<String, String> lower = new HashMap<>();
        h.forEach((k, val) -> lower.put(k.toLowerCase(), val));
        assertEquals(v, verify(lower, List.of(SECRET)));
    }

    @Test
    void githubRefusals() {
        String good = WebhookSignatures.githubSignature(SECRET, BODY);
        assertEquals(401, refused(Map.of("X-Hub-Signature-256", WebhookSignatures.githubSignature("other", BODY),
                "X-GitHub-Event", "push"), List.of(SECRET)).status());
        assertEquals(400, refused(Map.of("X-Hub-Signature-256", "sha1=abc", "X-GitHub-Event", "push"), List.of(SECRET))
                .status());
        WebhookSignatures.Refused noEvent = refused(Map.of("X-Hub-Signature-256", good), List.of(SECRET));
        assertEquals(400, noEvent.status());
        assertEquals("X-GitHub-Event", noEvent.header());
        assertEquals(401, refused(Map.of("X-Hub-Signature-256", good, "X-GitHub-Event", "push"), List.of()).status(),
                "no secret: fail closed");
        assertEquals(401, refused(Map.of("X-Hub-Signature", "sha1=0123"), List.of(SECRET)).status());
        WebhookSignatures.Refused unsigned = refused(Map.of(), List.of(SECRET));
        assertEquals(401, unsigned.status());
        assertTrue(unsigned.getMessage().contains("X-Hub-Signature-256"));
    }

    @Test
    void aRotatedSecretStaysValidWhileItIsListed() throws Exception {
        Map<String, String> signedWithOld = Map.of("X-Hub-Signature-256", WebhookSignatures.githubSignature(OLD, BODY),
                "X-GitHub-Event", "push");
        assertEquals("push", verify(signedWithOld, List.of(SECRET, OLD)).event());
        assertEquals(401, refused(signedWithOld, List.of(SECRET)).status());
    }

    @Test
    void gitlabToken() throws Exception {
        WebhookSignatures.Verified v = verify(Map.of("X-Gitlab-Token", SECRET, "X-Gitlab-Event", "Push Hook",
                "X-Gitlab-Event-UUID", "13792a34-cac6-4fda-95a8-c58e00a3954e"), List.of(SECRET));
        assertEquals(new WebhookSignatures.Verified("gitlab", "push", "13792a34-cac6-4fda-95a8-c58e00a3954e"), v);
        assertEquals("tag_push", verify(Map.of("X-Gitlab-Token", SECRET, "X-Gitlab-Event", "Tag Push Hook"),
                List.of(SECRET)).event());
        assertEquals("merge_request", WebhookSignatures.gitlabEvent("Merge Request Hook"));
        assertEquals(401, refused(Map.of("X-Gitlab-Token", SECRET + "x", "X-Gitlab-Event", "Push Hook"), List.of(SECRET))
                .status());
        assertNull(verify(Map.of("X-Gitlab-Token", SECRET, "X-Gitlab-Event", "Push Hook"), List.of(SECRET)).deliveryId());
    }

    @Test
    void standardWebhooksTestVector() {
        // the example of the Standard Webhooks / Svix documentation
        assertEquals("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", WebhookSignatures.standardSignature(
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void standardWebhooks() throws Exception {
        long ts = NOW.getEpochSecond();
        String sig = WebhookSignatures.standardSignature(SECRET, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", ts, BODY);
        Map<String, String> h = Map.of("webhook-id", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", "webhook-timestamp",
                String.valueOf(ts), "webhook-signature", "v1,invalidbutwellformed== v1," + sig);
        assertEquals(new WebhookSignatures.Verified("standard-webhooks", null, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"),
                verify(h, List.of(SECRET)));
        // several signatures: one per secret of a rotation
        String oldSig = WebhookSignatures.standardSignature(OLD, "msg_1", ts, BODY);
        assertEquals("msg_1", verify(Map.of("webhook-id", "msg_1", "webhook-timestamp", String.valueOf(ts),
                "webhook-signature", "v1," + oldSig), List.of(SECRET, OLD)).deliveryId());
    }

    @Test
    void standardWebhooksRefusals() {
        long ts = NOW.getEpochSecond();
        String sig = WebhookSignatures.standardSignature(SECRET, "msg_1", ts - 301, BODY);
        WebhookSignatures.Refused stale = refused(Map.of("webhook-id", "msg_1", "webhook-timestamp", String.valueOf(ts - 301),
                "webhook-signature", "v1," + sig), List.of(SECRET));
        assertEquals(401, stale.status());
        assertEquals("webhook-timestamp", stale.header());
        assertEquals(401, refused(Map.of("webhook-id", "msg_1", "webhook-timestamp", String.valueOf(ts + 400),
                "webhook-signature", "v1," + sig), List.of(SECRET)).status(), "from the future");
        assertEquals(400, refused(Map.of("webhook-id", "msg_1", "webhook-timestamp", "yesterday",
                "webhook-signature", "v1," + sig), List.of(SECRET)).status());
        assertEquals(400, refused(Map.of("webhook-id", "msg_1", "webhook-timestamp", String.valueOf(ts),
                "webhook-signature", "v2,abc"), List.of(SECRET)).status());
        assertEquals(400, refused(Map.of("webhook-timestamp", String.valueOf(ts), "webhook-signature", "v1,abc"),
                List.of(SECRET)).status());
        String other = WebhookSignatures.standardSignature(SECRET, "msg_OTHER", ts, BODY);
        assertEquals(401, refused(Map.of("webhook-id", "msg_1", "webhook-timestamp", String.valueOf(ts),
                "webhook-signature", "v1," + other), List.of(SECRET)).status(), "signed for another id");
    }
}
