package dev.scanflow.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.protocol.CredentialReply.Credential;
import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.Finding.Location;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker's redaction filter: every encoding of a held value it is likely to print. */
class RedactorTest {

    /** Characters that URL-encoding, JSON escaping and the two base64 alphabets all treat differently. */
    private static final String TOKEN = "ghp_s3cr\u00e9t/+?=& \"x\\y>~~~";
    private static final Credential GIT = new Credential("github-ci", "git_token", "checkout", null, null, TOKEN);
    private static final Credential BASIC = new Credential("staging-login", "http_basic", "target", "alice",
            null, "pa55:w0rd!");
    private static final Redactor REDACTOR = Redactor.of(List.of(GIT, BASIC));

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64url(String s) {
        return Base64.getUrlEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Every form of the token the filter promises to catch. */
    static List<String> encodings(String value) {
        String form = URLEncoder.encode(value, StandardCharsets.UTF_8);
        return List.of(value, form, form.replace("+", "%20"), form.toLowerCase(), b64(value),
                b64(value).replace("=", ""), b64url(value), b64url(value).replace("=", ""));
    }

    @Test
    void theValueInEveryEncodingBecomesItsName() {
        for (String encoded : encodings(TOKEN)) {
            String line = "remote: using " + encoded + " for the fetch";
            assertEquals("remote: using [REDACTED:github-ci] for the fetch", REDACTOR.redact(line), encoded);
        }
        // several in one line, and a line without any stays as it is
        assertEquals("[REDACTED:github-ci] and [REDACTED:github-ci]", REDACTOR.redact(TOKEN + " and " + b64(TOKEN)));
        assertEquals("nothing secret here", REDACTOR.redact("nothing secret here"));
    }

    @Test
    void basicAuthPairsAreRedactedWhole() {
        assertEquals("Authorization: Basic [REDACTED:staging-login]",
                REDACTOR.redact("Authorization: Basic " + b64("alice:pa55:w0rd!")));
        assertEquals("Authorization: Basic [REDACTED:staging-login]",
                REDACTOR.redact("Authorization: Basic " + b64url("alice:pa55:w0rd!").replace("=", "")));
        // git sends the token as the password of x-access-token
        assertEquals("Authorization: Basic [REDACTED:github-ci]",
                REDACTOR.redact("Authorization: Basic " + b64("x-access-token:" + TOKEN)));
        assertEquals("curl -u [REDACTED:staging-login]", REDACTOR.redact("curl -u alice:pa55:w0rd!"));
        assertEquals("password [REDACTED:staging-login]", REDACTOR.redact("password pa55:w0rd!"));
    }

    @Test
    void theValuesBase64InsideALongerBase64IsCaughtWhateverComesBefore() {
        // an Authorization: Basic of a user the filter does not know: 1, 2 and 3 bytes before the value
        for (String user : List.of("", "b", "bo", "bob", "robert")) {
            String header = "Authorization: Basic " + b64(user + ":" + TOKEN + "\n");
            String redacted = REDACTOR.redact(header);
            assertTrue(redacted.matches("Authorization: Basic [A-Za-z0-9+/]{0,12}\\[REDACTED:github-ci][A-Za-z0-9+/=]{0,4}"),
                    user + ": " + redacted);
        }
    }

    @Test
    void jsonEscapedValuesAndEveryLineOfAKey() {
        String json = TOKEN.replace("\\", "\\\\").replace("\"", "\\\"");
        assertEquals("{\"token\":\"[REDACTED:github-ci]\"}", REDACTOR.redact("{\"token\":\"" + json + "\"}"));
        assertEquals("{\"token\":\"[REDACTED:github-ci]\"}",
                REDACTOR.redact("{\"token\":\"" + json.replace("/", "\\/") + "\"}"));
        String body1 = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW";
        String body2 = "QyNTUxOQAAACDfakefakefakefakefakefakefakefakefakefakefakefakeAAAA";
        String pem = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body1 + "\n" + body2 + "\n-----END OPENSSH PRIVATE KEY-----\n";
        Redactor keys = Redactor.of(List.of(new Credential("deploy-key", "git_ssh_key", "checkout", null, null, pem)));
        List<String> printed = new ArrayList<>();
        pem.lines().forEach(l -> printed.add(keys.redact(l)));
        assertEquals(List.of("-----BEGIN OPENSSH PRIVATE KEY-----", "[REDACTED:deploy-key]", "[REDACTED:deploy-key]",
                "-----END OPENSSH PRIVATE KEY-----"), printed);
    }

    @Test
    void outputsAreRedactedThroughout() {
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("found", List.of(Map.of("url", "https://x/?k=" + URLEncoder.encode(TOKEN, StandardCharsets.UTF_8)), 3));
        output.put("count", 2);
        Map<String, Object> redacted = REDACTOR.redact(output);
        assertEquals(Map.of("found", List.of(Map.of("url", "https://x/?k=[REDACTED:github-ci]"), 3), "count", 2), redacted);
    }

    @Test
    void findingsAreRedactedInEveryText() {
        // a DAST tool that used the token quotes it in the URL it hit, its message and its record
        String query = URLEncoder.encode(TOKEN, StandardCharsets.UTF_8);
        String json = TOKEN.replace("\\", "\\\\").replace("\"", "\\\"");
        Finding f = Findings.of("nuclei", "token-in-url", "Token " + TOKEN + " accepted", "high", "web",
                Location.web("https://x/api?token=" + query, "GET", "token"), List.of("CWE-598"), null,
                "Authorization: Basic " + b64("alice:pa55:w0rd!"), "{\"request\":\"GET /api?token=" + json + "\"}");
        Finding r = REDACTOR.redact(f);
        assertEquals("Token [REDACTED:github-ci] accepted", r.title());
        assertEquals("https://x/api?token=[REDACTED:github-ci]", r.location().url());
        assertEquals("Authorization: Basic [REDACTED:staging-login]", r.message());
        assertEquals("{\"request\":\"GET /api?token=[REDACTED:github-ci]\"}", r.raw());
        assertEquals(List.of("CWE-598"), r.references());
        assertEquals("high", r.severity());
        Finding secret = Findings.of("gitleaks", "generic-api-key", "key", "high", "secret",
                Location.code("deploy/.env", 3, 3, "GIT_TOKEN=" + TOKEN), List.of(), null, null, "{}");
        assertEquals("GIT_TOKEN=[REDACTED:github-ci]", REDACTOR.redact(secret).location().snippet());
        assertEquals(f, Redactor.NONE.redact(f));
    }

    @Test
    void findingsAreCutOnlyAfterRedaction() {
        // the value straddles the message limit: cut first, its first half would stay unrecognisable
        String message = "x".repeat(Finding.MESSAGE_LIMIT - 6) + TOKEN + " and more";
        Finding f = Findings.of("t", "r", "t", "info", "code", Location.code("f", 1, 1, null), List.of(), null, message, "{}");
        assertEquals(message, f.message(), "a parser keeps more than the limit");
        Finding sent = Findings.bounded(REDACTOR.redact(f));
        assertEquals(Finding.MESSAGE_LIMIT, sent.message().length());
        assertTrue(sent.message().endsWith("x[REDAC"), sent.message().substring(Finding.MESSAGE_LIMIT - 20));
        assertFalse(sent.message().contains(TOKEN.substring(0, 6)));
    }

    @Test
    void theRunsReporterRedactsFindings() {
        List<ScanReport> seen = new ArrayList<>();
        RedactingReporter reporter = new RedactingReporter(new Reporter() {
            @Override
            public void running(String commandId) {
            }

            @Override
            public void completed(String commandId, ScanReport report, long durationMs) {
                seen.add(report);
            }

            @Override
            public void failed(String commandId, String code, String message) {
            }

            @Override
            public void cancelled(String commandId) {
            }

            @Override
            public void log(String commandId, long seq, String line) {
            }
        });
        reporter.use(REDACTOR);
        Finding f = Findings.of("ffuf", "ffuf-path", "/x", "info", "web", Location.web("https://x/" + TOKEN, "GET", null),
                List.of(), null, null, "{}");
        reporter.completed("c", new ScanReport(1, Map.of("info", 1), Map.of(), List.of(f)), 5);
        assertEquals("https://x/[REDACTED:github-ci]", seen.get(0).findings().get(0).location().url());
        assertEquals(1, seen.get(0).findingsCount());
    }

    @Test
    void withoutValuesNothingChanges() {
        assertEquals("ghp_x", Redactor.NONE.redact("ghp_x"));
        assertNull(Redactor.NONE.redact((String) null));
        Redactor empty = Redactor.of(List.of(new Credential("n", "cookie", "target", null, null, "")));
        assertEquals("anything", empty.redact("anything"));
        assertFalse(REDACTOR.redact("[REDACTED:github-ci]").contains(TOKEN));
    }
}
