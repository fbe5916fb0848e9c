package dev.scanflow.finding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.protocol.Finding;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The identity rules of ADR 0011, what is kept of a worker's finding, and suppression matching. */
class FindingIdentityTest {

    static Finding code(String rule, String file, int line, String snippet) {
        return new Finding("eslint", rule, "t", "high", "code", Finding.Location.code(file, line, line, snippet), List.of(),
                null, "at line " + line, null);
    }

    @Test
    void codeFindingsSurviveLineShiftsAndWhitespaceButNotOtherCode() {
        String before = FindingIdentity.of(code("no-eval", "src/a.js", 10, "eval(input)"));
        assertEquals(before, FindingIdentity.of(code("no-eval", "./src/a.js", 20, "  eval(input)\n")));
        assertEquals(before, FindingIdentity.of(code("no-eval", "src\\a.js", 30, "eval(input)")));
        assertNotEquals(before, FindingIdentity.of(code("no-eval", "src/a.js", 10, "eval(other)")));
        assertNotEquals(before, FindingIdentity.of(code("no-eval", "src/b.js", 10, "eval(input)")));
        assertNotEquals(before, FindingIdentity.of(code("no-exec", "src/a.js", 10, "eval(input)")));
        // without a snippet the message is the context, its numbers (line numbers) left out
        assertEquals(FindingIdentity.of(code("r", "a.js", 1, null)), FindingIdentity.of(code("r", "a.js", 99, null)));
        assertEquals(64, before.length(), "a SHA-256 in hex");
    }

    @Test
    void aDependencyIsItsPackageAndVulnerabilityWhicheverToolSaysSo() {
        Finding trivy = new Finding("trivy", "CVE-2021-44228", "x", "critical", "dependency",
                Finding.Location.dependency("log4j-core", "2.14.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
                List.of(), "trivy-fp", null, null);
        Finding grype = new Finding("grype", "GHSA-jfh8-c2jp-5v3q", "y", "high", "dependency",
                Finding.Location.dependency("log4j-core", "2.15.0",
                        "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0?type=jar"),
                List.of("GHSA-jfh8-c2jp-5v3q", "cve-2021-44228"), null, null, null);
        // grype's rule is the GHSA id: its first CVE/GHSA reference is the GHSA itself, so compare like with like
        Finding grypeByCve = new Finding("grype", "CVE-2021-44228", "y", "high", "dependency", grype.location(),
                List.of(), null, null, null);
        assertEquals(FindingIdentity.of(trivy), FindingIdentity.of(grypeByCve), "same package, same CVE, other version");
        assertNotEquals(FindingIdentity.of(trivy), FindingIdentity.of(grype));
        assertEquals("CVE-2021-44228", FindingIdentity.vulnerabilityOf("trivy-rule-7", List.of("CWE-502", "cve-2021-44228")));
    }

    @Test
    void networkAndWebFindingsAreKeyedByWhereTheyAre() {
        Finding port = new Finding("nmap", "ssl-heartbleed", "t", "high", "network",
                Finding.Location.network("DB.example.com", 443, "tcp"), List.of(), null, null, null);
        Finding samePort = new Finding("nmap", "ssl-heartbleed", "other title", "critical", "network",
                Finding.Location.network("db.example.com", 443, "tcp"), List.of(), null, "other", null);
        assertEquals(FindingIdentity.of(port), FindingIdentity.of(samePort));
        assertEquals("app.example.com/users/{id}/orders/{id}",
                FindingIdentity.webPath("https://App.example.com/users/42/orders/3f2a1c4e-1b2c-4d5e-8f90-123456789abc?x=1"));
        assertEquals("app.example.com/", FindingIdentity.webPath("https://app.example.com"));
        assertEquals("/login", FindingIdentity.webPath("/login?next=/admin"));
    }

    @Test
    void aFingerprintWinsOverTheKeyOfItsKindButNotForDependencies() {
        Finding a = new Finding("semgrep", "r", "t", "low", "code", Finding.Location.code("a.py", 1, 1, "x"), List.of(),
                "fp-1", null, null);
        Finding moved = new Finding("semgrep", "r", "t", "low", "code", Finding.Location.code("b.py", 9, 9, "y"), List.of(),
                "fp-1", null, null);
        assertEquals(FindingIdentity.of(a), FindingIdentity.of(moved));
    }

    @Test
    void whatIsKeptOfAWorkersFinding() {
        FindingCheck.Checked refused = FindingCheck.check(new Finding("t", "r", null, "high", "malware", null, null, null,
                null, null));
        assertNull(refused.finding());
        assertEquals("unknown kind", refused.refusal());
        assertEquals("no tool or rule_id", FindingCheck.check(new Finding("t", " ", null, null, "code", null, null, null,
                null, null)).refusal());

        Finding secret = new Finding("secretlint", "aws-key", "AWS key", "WARNING", "secret",
                Finding.Location.code("config.env", 3, 3, "AKIAIOSFODNN7EXAMPLE"), List.of("CWE-798", "not-a-ref", "cwe-798"),
                null, "m\u0000", "AKIAIOSFODNN7EXAMPLE raw");
        FindingCheck.Checked kept = FindingCheck.check(secret);
        assertEquals("medium", kept.finding().severity(), "SARIF's warning");
        assertEquals("AKIA****", kept.finding().location().snippet(), "the service keeps where a secret is, not the secret");
        assertEquals("AKIA****", Finding.maskedSecret("AKIA****"), "masked by the worker already: kept as it came");
        assertEquals("****", Finding.maskedSecret("hunter2"), "a short secret is masked whole");
        assertNull(kept.finding().raw());
        assertEquals(List.of("CWE-798"), kept.finding().references());
        assertNull(kept.finding().message(), "a secret's message may quote it");
        assertEquals("a\uFFFD", FindingCheck.text("a\uD83D", 10), "a lone surrogate is replaced");
        assertEquals("ab", FindingCheck.text("ab\uD83D\uDE00", 3), "a pair is not cut in half");
        assertEquals(FindingIdentity.of(new Finding("secretlint", "aws-key", "AWS key", "medium", "secret",
                Finding.Location.code("config.env", 3, 3, "AKIAIOSFODNN7EXAMPLE"), List.of("CWE-798"), null, "m\uFFFD",
                null)), kept.identity(), "the identity is taken from the whole snippet, before masking");
        assertEquals("unknown", FindingCheck.severity("bogus"));
    }

    @Test
    void suppressionsMatchByIdentityOrByRuleAndPlace() {
        UUID asset = UUID.randomUUID();
        Finding f = code("no-eval", "test/unit/a.test.js", 1, "eval(x)");
        String identity = FindingIdentity.of(f);
        Instant now = Instant.parse("2026-12-05T00:00:00Z");
        assertTrue(new SuppressionRule(UUID.randomUUID(), null, identity, null, null, null).matches(asset, identity, f));
        assertTrue(new SuppressionRule(UUID.randomUUID(), asset, null, "no-eval", "test/**", null).matches(asset, identity, f));
        assertTrue(!new SuppressionRule(UUID.randomUUID(), UUID.randomUUID(), null, "no-eval", "test/**", null)
                .matches(asset, identity, f), "another asset's");
        assertTrue(!new SuppressionRule(UUID.randomUUID(), null, null, "no-eval", "src/**", null).matches(asset, identity, f));
        assertTrue(!new SuppressionRule(UUID.randomUUID(), null, null, "no-exec", null, null).matches(asset, identity, f));
        Finding host = new Finding("nmap", "ssl-poodle", "t", "high", "tls", Finding.Location.network("a.lab.example", 443,
                "tcp"), List.of(), null, null, null);
        assertTrue(new SuppressionRule(UUID.randomUUID(), null, null, "ssl-poodle", "*.lab.example", null)
                .matches(asset, "x", host));
        assertTrue(!new SuppressionRule(UUID.randomUUID(), null, null, "r", null, now).inForce(now), "expired at that instant");
    }
}
