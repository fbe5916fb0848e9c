package dev.scanflow.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.engine.CommandOutbox;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.ScanCommand;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The release rules on values, without a database: the listener's tests show them over NATS. */
class CredentialReleaseTest {

    private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
    private static final UUID PIPELINE = UUID.randomUUID();

    private static CommandOutbox.IssuedScan issued(String worker, boolean active, Instant created,
            List<ScanCommand.CredentialRef> refs) {
        var target = new ScanCommand.Target("a", "repository", "acme/private", "https://git.example.com/acme/private.git",
                List.of(), "high", Map.of(), null, null);
        var payload = new ScanCommand.Payload("r", "sast", Map.of(), target, Map.of(), Map.of(), ScanCommand.Output.RIS,
                List.of("sast"), refs);
        return new CommandOutbox.IssuedScan(UUID.randomUUID(), UUID.randomUUID(), worker, created, PIPELINE, "Appsec",
                active, ScanCommand.of("c", "normal", "t", 1, 60, payload));
    }

    private static Credentials.Stored stored(String name, List<String> scope, List<String> usableBy, String previous,
            Instant graceUntil, Instant rotatedAt) {
        return new Credentials.Stored(name, CredentialKind.GIT_TOKEN, "x-access-token", null, scope, usableBy,
                ("now-" + name).getBytes(StandardCharsets.UTF_8),
                previous == null ? null : previous.getBytes(StandardCharsets.UTF_8), graceUntil, rotatedAt);
    }

    private static String open(byte[] sealed) {
        return new String(sealed, StandardCharsets.UTF_8);
    }

    private static final List<ScanCommand.CredentialRef> REFS = List.of(
            new ScanCommand.CredentialRef("github-ci", "git_token", "checkout"));

    @Test
    void theRightWorkerGetsTheValuesWithTheirUse() throws Exception {
        var out = CredentialRelease.decide("w1", "c", issued("w1", true, NOW, REFS),
                Map.of("github-ci", stored("github-ci", List.of("git.example.com/acme/*"), null, null, null, null)), NOW,
                CredentialReleaseTest::open);
        assertNull(out.refusal());
        assertEquals("now-github-ci", out.reply().credentials().get(0).value());
        assertEquals("checkout", out.reply().credentials().get(0).use());
        assertFalse(out.toString().contains("now-github-ci"));
        assertFalse(out.reply().toString().contains("now-github-ci"), out.reply().toString());
        assertTrue(new String(ProtocolJson.bytes(out.reply()), StandardCharsets.UTF_8).contains("now-github-ci"));
    }

    @Test
    void refusalsHoldNoValue() {
        var ok = Map.of("github-ci", stored("github-ci", List.of(), null, null, null, null));
        List<CredentialRelease.Outcome> refused = List.of(
                CredentialRelease.decide("w2", "c", issued("w1", true, NOW, REFS), ok, NOW, CredentialReleaseTest::open),
                CredentialRelease.decide("w1", "c", null, ok, NOW, CredentialReleaseTest::open),
                CredentialRelease.decide("w1", "c", issued("w1", false, NOW, REFS), ok, NOW, CredentialReleaseTest::open),
                CredentialRelease.decide("w1", "c", issued("w1", true, NOW, List.of()), ok, NOW, CredentialReleaseTest::open),
                CredentialRelease.decide("w1", "c", issued("w1", true, NOW, REFS), Map.of(), NOW, CredentialReleaseTest::open),
                CredentialRelease.decide("w1", "c", issued("w1", true, NOW, REFS),
                        Map.of("github-ci", stored("github-ci", List.of("github.com/acme/*"), null, null, null, null)), NOW,
                        CredentialReleaseTest::open),
                CredentialRelease.decide("w1", "c", issued("w1", true, NOW, REFS),
                        Map.of("github-ci", stored("github-ci", List.of(), List.of("Other"), null, null, null)), NOW,
                        CredentialReleaseTest::open),
                CredentialRelease.decide("w1", "c", issued("w1", true, NOW, REFS), ok, NOW, sealed -> null));
        for (CredentialRelease.Outcome o : refused) {
            assertNull(o.reply().credentials(), o.toString());
            assertTrue(o.reply().error() != null && !o.reply().error().contains("now-"), o.reply().error());
        }
        var usableByName = CredentialRelease.decide("w1", "c", issued("w1", true, NOW, REFS),
                Map.of("github-ci", stored("github-ci", List.of(), List.of("Appsec"), null, null, null)), NOW,
                CredentialReleaseTest::open);
        assertNull(usableByName.refusal());
        var usableById = CredentialRelease.decide("w1", "c", issued("w1", true, NOW, REFS),
                Map.of("github-ci", stored("github-ci", List.of(), List.of(PIPELINE.toString()), null, null, null)), NOW,
                CredentialReleaseTest::open);
        assertNull(usableById.refusal());
    }

    @Test
    void commandsMadeBeforeARotationKeepThePreviousValueDuringTheGrace() {
        Instant rotated = NOW.minusSeconds(60);
        var c = Map.of("github-ci", stored("github-ci", List.of(), null, "old", NOW.plusSeconds(600), rotated));
        assertEquals("old", CredentialRelease.decide("w1", "c", issued("w1", true, rotated.minusSeconds(5), REFS), c,
                NOW, CredentialReleaseTest::open).reply().credentials().get(0).value());
        assertEquals("now-github-ci", CredentialRelease.decide("w1", "c", issued("w1", true, rotated.plusSeconds(5), REFS),
                c, NOW, CredentialReleaseTest::open).reply().credentials().get(0).value());
        assertEquals("now-github-ci", CredentialRelease.decide("w1", "c", issued("w1", true, rotated.minusSeconds(5), REFS),
                c, NOW.plusSeconds(601), CredentialReleaseTest::open).reply().credentials().get(0).value(),
                "after the grace, the previous value is never given");
    }
}
