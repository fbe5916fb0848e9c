package dev.scanflow.finding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.scanflow.support.SarifValidator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a @QuarkusTest: SarifLog is a plain class. Findings of every kind are written as SARIF and
 * checked by Microsoft's SARIF Multitool (scripts/install-scanners.sh installs it), then
 * against the mapping docs/api.md describes.
 */
class SarifLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final UUID RUN = UUID.fromString("5b0c3a52-8f51-4c3e-9d5e-0a6a2d6f7e11");
    private static final SarifLog LOG = new SarifLog(
            new SarifLog.Header("0.1.0", RUN, "acme/shop", "https://scanflow.example.com/"));
    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00.123456Z");
    private static final Instant T1 = Instant.parse("2026-12-05T09:30:00Z");

    private static final Map<String, FindingView> FINDINGS = new LinkedHashMap<>();
    private static JsonNode sarif;
    private static Map<String, JsonNode> results;

    @BeforeAll
    static void findings() {
        add("sql", "code", List.of("semgrep"), "js.sql-injection", "SQL built from {input}", "high",
                loc("file", "src/db/query.js", "start_line", 10, "end_line", 12, "snippet",
                        "db.query(`SELECT * FROM t WHERE id = ${req.params.id}`)"),
                List.of("CWE-89"), null, "Query built from req.params.{id}", "new", null, false);
        add("sql-2", "code", List.of("semgrep"), "js.sql-injection", "SQL built from {input}", "medium",
                loc("file", "./src/my dir/ünïcode.js", "start_line", 3), List.of("CWE-89"), null, null,
                "reopened", "reopened", false);
        add("secret", "secret", List.of("gitleaks"), "aws-access-token", "AWS access key", "critical",
                loc("file", "config/.env", "start_line", 4, "end_line", 4), List.of(), "a1b2c3", "AWS key in .env",
                "unchanged", null, false);
        add("secret-suppressed", "secret", List.of("gitleaks"), "generic-api-key", "Generic API key", "high",
                loc("file", "test/fixtures/keys.json", "start_line", 2), null, null, null, "unchanged", null, true);
        add("config", "config", List.of("trivy"), "DS002", "Image user should not be 'root'", "low",
                loc("file", "Dockerfile", "start_line", 1, "end_line", 1, "snippet", "FROM node:20"), List.of(),
                null, null, "new", null, false);
        add("config-fixed", "config", List.of("trivy"), "DS026", "No HEALTHCHECK defined", "info",
                loc("file", "/srv/app/Dockerfile"), null, null, null, "fixed", null, false);
        add("dependency", "dependency", List.of("trivy", "grype"), "CVE-2021-44228",
                "log4j-core: Remote code injection in Log4j", "critical",
                loc("package", "org.apache.logging.log4j:log4j-core", "version", "2.14.1", "purl",
                        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
                List.of("CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q", "CWE-502"), "trivy:CVE-2021-44228:log4j-core", null,
                "unchanged", null, false);
        add("network", "network", List.of("nmap"), "open-port-22", "Open port 22/tcp (ssh)", "info",
                loc("host", "10.20.5.7", "port", 22, "protocol", "tcp"), null, null, null, "new", null, false);
        add("network-unknown", "network", List.of("nuclei"), "exposed-service", null, "unknown",
                loc("host", "10.20.5.7", "port", "8080"), null, null, null, "new", null, false);
        add("tls", "tls", List.of("testssl"), "TLS1_1", "TLS 1.1 offered", "medium",
                loc("host", "2001:db8::1", "port", 443, "protocol", "tcp"), null, null, null, "unchanged", null, false);
        add("web", "web", List.of("ffuf"), "reflected-xss", "Reflected cross-site scripting", "high",
                loc("url", "https://staging.example.com/search?q=<script>alert(\"x\")</script>#a#b", "method", "GET",
                        "parameter", "q"),
                List.of("CWE-79"), null, "Parameter q is reflected unescaped", "new", null, false);
    }

    private static void add(String name, String kind, List<String> tools, String ruleId, String title, String severity,
            Map<String, Object> location, List<String> references, String fingerprint, String message, String state,
            String change, boolean suppressed) {
        boolean fixed = "fixed".equals(state);
        UUID id = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
        FINDINGS.put(name, new FindingView(id, UUID.randomUUID(), kind, tools, ruleId, title, severity,
                location, references, fingerprint, message, state, change, suppressed,
                suppressed ? UUID.randomUUID() : null, RUN, T0, RUN, T1, fixed ? RUN : null, fixed ? T1 : null));
    }

    private static Map<String, Object> loc(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static JsonNode sarif() {
        if (sarif == null) {
            sarif = LOG.json(new ArrayList<>(FINDINGS.values()));
            results = new HashMap<>();
            for (JsonNode run : sarif.path("runs")) {
                for (JsonNode r : run.path("results")) {
                    results.put(r.path("properties").path("scanflow/finding_id").asText(), r);
                }
            }
        }
        return sarif;
    }

    private static JsonNode result(String name) {
        sarif();
        return results.get(FINDINGS.get(name).id().toString());
    }

    @Test
    void theMultitoolFindsNoErrorInTheLog(@TempDir Path dir) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        LOG.write(new ArrayList<>(FINDINGS.values()), out);
        assertEquals(List.of(), SarifValidator.errors(dir, out.toByteArray()));
    }

    @Test
    void oneRunPerReportingToolWithItsRules() {
        List<String> drivers = new ArrayList<>();
        for (JsonNode run : sarif().path("runs")) {
            JsonNode driver = run.path("tool").path("driver");
            drivers.add(driver.path("name").asText());
            List<String> ids = new ArrayList<>();
            driver.path("rules").forEach(rule -> ids.add(rule.path("id").asText()));
            assertEquals(ids.size(), new HashSet<>(ids).size(), "rule ids repeat in " + ids);
            for (JsonNode r : run.path("results")) {
                int index = r.path("ruleIndex").asInt(-1);
                assertTrue(index >= 0 && index < ids.size(), "ruleIndex " + index + " of " + ids);
                assertEquals(ids.get(index), r.path("ruleId").asText());
                assertFalse(r.path("message").path("text").asText().isBlank());
            }
            assertEquals("Scanflow", run.path("conversion").path("tool").path("driver").path("name").asText());
            assertEquals("scanflow/acme/shop/" + RUN, run.path("automationDetails").path("id").asText());
        }
        // the dependency both trivy and grype found is trivy's (its first tool): grype has no run
        assertEquals(List.of("semgrep", "gitleaks", "trivy", "nmap", "nuclei", "testssl", "ffuf"), drivers);
        assertEquals("https://trivy.dev", sarif().path("runs").get(2).path("tool").path("driver")
                .path("informationUri").asText());
        assertEquals(SarifLog.SCHEMA, sarif().path("$schema").asText());
        assertEquals("2.1.0", sarif().path("version").asText());
    }

    @Test
    void severityGivesTheLevelAndTheRuleItsSecuritySeverity() {
        Map<String, String> levels = Map.ofEntries(Map.entry("sql", "error"), Map.entry("sql-2", "warning"),
                Map.entry("secret", "error"), Map.entry("secret-suppressed", "error"), Map.entry("config", "note"),
                Map.entry("config-fixed", "note"), Map.entry("dependency", "error"), Map.entry("network", "note"),
                Map.entry("network-unknown", "warning"), Map.entry("tls", "warning"), Map.entry("web", "error"));
        assertEquals(FINDINGS.keySet(), levels.keySet());
        levels.forEach((name, level) -> assertEquals(level, result(name).path("level").asText(), name));

        Map<String, String> scores = Map.of("js.sql-injection", "8.0", "aws-access-token", "9.5", "DS002", "2.0",
                "DS026", "0.0", "CVE-2021-44228", "9.5", "exposed-service", "0.0", "TLS1_1", "5.5");
        Map<String, JsonNode> rules = rules();
        scores.forEach((id, score) -> assertEquals(score, rules.get(id).path("properties").path("security-severity")
                .asText(), id));
    }

    @Test
    void rulesCarryTitleTagsAndAdvisoryLinks() {
        Map<String, JsonNode> rules = rules();
        JsonNode log4j = rules.get("CVE-2021-44228");
        assertEquals("log4j-core: Remote code injection in Log4j",
                log4j.path("shortDescription").path("text").asText());
        assertEquals("https://nvd.nist.gov/vuln/detail/CVE-2021-44228", log4j.path("helpUri").asText());
        assertEquals(List.of("security", "dependency", "CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q", "CWE-502"),
                texts(log4j.path("properties").path("tags")));
        assertTrue(log4j.path("help").path("markdown").asText()
                .contains("[GHSA-jfh8-c2jp-5v3q](https://github.com/advisories/GHSA-jfh8-c2jp-5v3q)"));
        assertEquals("https://cwe.mitre.org/data/definitions/79.html",
                rules.get("reflected-xss").path("helpUri").asText());
        assertTrue(rules.get("DS002").path("helpUri").isMissingNode());
        // SARIF 3.11.5: a literal brace in a message string is doubled
        assertEquals("SQL built from {{input}}", rules.get("js.sql-injection").path("shortDescription").path("text")
                .asText());
        assertEquals("Query built from req.params.{{id}}", result("sql").path("message").path("text").asText());
        // no message: the title; no title either: the rule id
        assertEquals("Image user should not be 'root'", result("config").path("message").path("text").asText());
        assertEquals("exposed-service", result("network-unknown").path("message").path("text").asText());
    }

    @Test
    void baselineStateFingerprintsAndSuppressions() {
        Map<String, String> baseline = Map.of("sql", "new", "sql-2", "new", "secret", "unchanged", "config-fixed",
                "absent", "dependency", "unchanged", "tls", "unchanged");
        baseline.forEach((name, state) -> assertEquals(state, result(name).path("baselineState").asText(), name));
        for (Map.Entry<String, FindingView> f : FINDINGS.entrySet()) {
            JsonNode r = result(f.getKey());
            assertEquals(f.getValue().id().toString(), r.path("partialFingerprints").path(SarifLog.FINGERPRINT_KEY).asText());
            assertEquals(f.getValue().id().toString(), r.path("correlationGuid").asText());
            assertEquals(f.getValue().kind(), r.path("properties").path("scanflow/kind").asText());
            assertEquals(f.getValue().state(), r.path("properties").path("scanflow/state").asText());
            assertEquals(f.getKey().equals("secret-suppressed"), r.has("suppressions"), f.getKey());
        }
        assertEquals("a1b2c3", result("secret").path("partialFingerprints").path("gitleaks/v1").asText());
        assertEquals("trivy:CVE-2021-44228:log4j-core",
                result("dependency").path("partialFingerprints").path("trivy/v1").asText());
        JsonNode suppression = result("secret-suppressed").path("suppressions").get(0);
        assertEquals("external", suppression.path("kind").asText());
        assertEquals("accepted", suppression.path("status").asText());
        assertEquals(FINDINGS.get("secret-suppressed").suppressionId().toString(), suppression.path("guid").asText());
        assertEquals(List.of("trivy", "grype"), texts(result("dependency").path("properties").path("scanflow/tools")));
        assertEquals("https://scanflow.example.com/api/v1/findings/" + FINDINGS.get("web").id(),
                result("web").path("properties").path("scanflow/url").asText());
        assertEquals("2026-12-01T08:00:00.123Z",
                result("sql").path("provenance").path("firstDetectionTimeUtc").asText());
        assertEquals("2026-12-05T09:30:00Z",
                result("config-fixed").path("properties").path("scanflow/fixed_at").asText());
    }

    @Test
    void locationsFollowTheKind() {
        JsonNode sql = result("sql").path("locations").get(0).path("physicalLocation");
        assertEquals("src/db/query.js", sql.path("artifactLocation").path("uri").asText());
        assertEquals("%SRCROOT%", sql.path("artifactLocation").path("uriBaseId").asText());
        assertEquals(10, sql.path("region").path("startLine").asInt());
        assertEquals(12, sql.path("region").path("endLine").asInt());
        assertTrue(sql.path("region").path("snippet").path("text").asText().contains("${req.params.id}"));
        assertEquals("src/my%20dir/%C3%BCn%C3%AFcode.js", uri(result("sql-2")));
        assertEquals("file:///srv/app/Dockerfile", uri(result("config-fixed")));
        assertTrue(result("config-fixed").path("locations").get(0).path("physicalLocation").path("artifactLocation")
                .path("uriBaseId").isMissingNode());

        JsonNode dependency = result("dependency").path("locations").get(0);
        assertTrue(dependency.path("physicalLocation").isMissingNode());
        assertEquals("org.apache.logging.log4j:log4j-core@2.14.1",
                dependency.path("logicalLocations").get(0).path("name").asText());
        assertEquals("module", dependency.path("logicalLocations").get(0).path("kind").asText());
        assertEquals("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                dependency.path("properties").path("purl").asText());

        assertEquals("tcp://10.20.5.7:22", uri(result("network")));
        assertEquals("tcp://10.20.5.7:8080", uri(result("network-unknown")));
        assertEquals("https://[2001:db8::1]:443", uri(result("tls")));
        assertTrue(result("tls").path("locations").get(0).path("physicalLocation").path("region").isMissingNode());
        String web = uri(result("web"));
        assertEquals("https://staging.example.com/search?q=%3Cscript%3Ealert(%22x%22)%3C/script%3E#a%23b", web);
        assertEquals("/search", URI.create(web).getPath());
        assertEquals("GET", result("web").path("locations").get(0).path("properties").path("method").asText());
        assertEquals("q", result("web").path("locations").get(0).path("properties").path("parameter").asText());
    }

    @Test
    void theStreamTheBytesAndTheTreeAreTheSameLog() throws IOException {
        List<FindingView> all = new ArrayList<>(FINDINGS.values());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LOG.write(all, out);
        assertArrayEquals(LOG.bytes(all), out.toByteArray());
        assertEquals(JSON.readTree(out.toByteArray()), LOG.json(all));
        assertEquals(0, LOG.json(List.of()).path("runs").size());
    }

    @Test
    void fiftyThousandFindingsStreamToAFile(@TempDir Path dir) throws IOException {
        FindingView sample = FINDINGS.get("sql");
        List<FindingView> many = new ArrayList<>(50_000);
        for (int i = 0; i < 50_000; i++) {
            many.add(new FindingView(UUID.randomUUID(), sample.assetId(), "code", List.of("semgrep"),
                    "rule-" + (i % 100), "Rule " + (i % 100), "high", loc("file", "src/f" + i + ".js", "start_line", 1),
                    List.of(), null, null, "new", null, false, null, RUN, T0, RUN, T1, null, null));
        }
        Path file = dir.resolve("many.sarif");
        try (OutputStream out = Files.newOutputStream(file)) {
            LOG.write(many, out);
        }
        int resultCount = 0;
        Set<String> ruleIds = new HashSet<>();
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            while (p.nextToken() != null) {
                if (p.currentToken() == JsonToken.FIELD_NAME && "ruleIndex".equals(p.currentName())) {
                    resultCount++;
                } else if (p.currentToken() == JsonToken.FIELD_NAME && "id".equals(p.currentName())) {
                    p.nextToken();
                    ruleIds.add(p.getText());
                }
            }
        }
        assertEquals(50_000, resultCount);
        assertEquals(101, ruleIds.size(), "100 rules and the automation id");
    }

    private static String uri(JsonNode result) {
        JsonNode uri = result.path("locations").get(0).path("physicalLocation").path("artifactLocation").path("uri");
        assertNotNull(uri);
        return uri.asText();
    }

    private static Map<String, JsonNode> rules() {
        Map<String, JsonNode> rules = new HashMap<>();
        for (JsonNode run : sarif().path("runs")) {
            run.path("tool").path("driver").path("rules").forEach(rule -> {
                assertNull(rules.put(rule.path("id").asText(), rule), "rule " + rule.path("id") + " in two runs");
            });
        }
        return rules;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
