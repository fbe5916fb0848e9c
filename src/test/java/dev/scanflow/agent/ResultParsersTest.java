package dev.scanflow.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.Finding.Location;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The parsers on real tool output captured on this kind of machine (src/test/resources/agent):
 * their counts and outputs, and the finding records, as many as they count.
 */
class ResultParsersTest {

    private static final Path DIR = Path.of("src/test/resources/agent");
    /** The repository the demo and the system-template tests scan; the SARIF fixtures were taken on it. */
    private static final Path PLANTED = Path.of("examples/planted-repo");

    /** Every parser: one record per finding counted, each complete, and the counts are the records'. */
    static List<Finding> records(ScanReport r) {
        assertEquals(r.findingsCount(), r.findings().size(), "one record per finding counted");
        Map<String, Integer> bySeverity = new LinkedHashMap<>();
        for (Finding f : r.findings()) {
            assertNotNull(f.tool(), f.toString());
            assertNotNull(f.ruleId(), f.toString());
            assertNotNull(f.title(), f.toString());
            assertNotNull(f.location(), f.toString());
            assertTrue(Finding.SEVERITIES.contains(f.severity()), f.toString());
            assertTrue(Finding.KINDS.contains(f.kind()), f.toString());
            assertTrue(f.message() == null || f.message().length() <= 4 * Finding.MESSAGE_LIMIT, f.toString());
            assertTrue(f.raw() != null && f.raw().startsWith("{"), f.toString());
            bySeverity.merge("unknown".equals(f.severity()) ? "info" : f.severity(), 1, Integer::sum);
        }
        assertEquals(r.findingsBySeverity(), bySeverity);
        return r.findings();
    }

    @Test
    void nmapXmlFromARealScan() throws IOException {
        // nmap 7.93 -sV -p 18080,18443,18099 127.0.0.1: an HTTP server, a TLS server, a closed port
        ScanReport r = new NmapXmlParser().parse(DIR.resolve("nmap-localhost.xml"));
        assertEquals(2, r.findingsCount());
        assertEquals(List.of(18080, 18443), r.output().get("open_ports"));
        assertEquals(Map.of("info", 2), r.findingsBySeverity());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> services = (List<Map<String, Object>>) r.output().get("services");
        assertEquals("http", services.get(0).get("service"));
        assertEquals("SimpleHTTPServer", services.get(0).get("product"));
        assertEquals("ssl", services.get(1).get("tunnel"));
        assertEquals(List.of("127.0.0.1"), r.output().get("hosts"));

        List<Finding> f = records(ResultParser.forFormat("nmap-xml", "nmap", null, null).parse(DIR.resolve("nmap-localhost.xml")));
        assertEquals("open-port", f.get(0).ruleId());
        assertEquals("nmap", f.get(0).tool());
        assertEquals("network", f.get(0).kind());
        assertEquals("info", f.get(0).severity());
        assertEquals(Location.network("127.0.0.1", 18080, "tcp"), f.get(0).location());
        assertEquals("Open port 18080/tcp (http)", f.get(0).title());
        assertEquals("18080/tcp open on 127.0.0.1: http SimpleHTTPServer 0.6", f.get(0).message());
        assertEquals(Location.network("127.0.0.1", 18443, "tcp"), f.get(1).location());
        assertTrue(f.get(1).message().endsWith("(ssl tunnel)"), f.get(1).message());
        assertEquals(List.of(), f.get(1).references());
    }

    @Test
    void testsslJsonFromARealScan() throws IOException {
        // testssl.sh 3.0.8 --fast against openssl s_server with a self-signed certificate
        ScanReport r = new TestsslJsonParser().parse(DIR.resolve("testssl-localhost.json"));
        assertEquals(12, r.findingsCount());
        assertEquals(Map.of("critical", 1, "high", 6, "medium", 1, "low", 4), r.findingsBySeverity());
        assertEquals(List.of("critical", "high", "medium", "low"), List.copyOf(r.findingsBySeverity().keySet()));
        @SuppressWarnings("unchecked")
        List<String> protocols = (List<String>) r.output().get("protocols");
        assertTrue(protocols.contains("TLS1_2"), protocols.toString());

        List<Finding> f = records(r);
        assertTrue(f.stream().allMatch(x -> x.kind().equals("tls") && x.tool().equals("testssl")
                && x.location().equals(Location.network("127.0.0.1", 18443, "tcp"))));
        Finding lucky13 = f.stream().filter(x -> x.ruleId().equals("LUCKY13")).findFirst().orElseThrow();
        assertEquals("low", lucky13.severity());
        assertEquals(List.of("CVE-2013-0169", "CWE-310"), lucky13.references());
        assertEquals("LUCKY13: potentially vulnerable, uses TLS CBC ciphers", lucky13.title());
        Finding chain = f.stream().filter(x -> x.ruleId().equals("cert_chain_of_trust")).findFirst().orElseThrow();
        assertEquals("critical", chain.severity());
        assertEquals("failed (self signed).", chain.message());
        assertTrue(chain.raw().contains("\"id\":\"cert_chain_of_trust\""), chain.raw());
    }

    @Test
    void sarifSeveritiesComeFromSecuritySeverityThenLevel() throws IOException {
        ScanReport r = new SarifParser().parse(DIR.resolve("semgrep-style.sarif"));
        assertEquals(4, r.findingsCount());
        assertEquals(Map.of("critical", 1, "high", 1, "medium", 1, "low", 1), r.findingsBySeverity());
        assertEquals(List.of("Semgrep OSS"), r.output().get("tools"));
        assertEquals(List.of("app/handlers.py", "app/main.py", "config/settings.py", "tests/conftest.py"),
                r.output().get("files"));
        assertEquals("Semgrep OSS", records(r).get(0).tool(), "without a tool named, the driver's name");

        List<Finding> f = records(ResultParser.forFormat("sarif", "semgrep", null, null).parse(DIR.resolve("semgrep-style.sarif")));
        Finding eval = f.get(0);
        assertEquals("semgrep", eval.tool());
        assertEquals("python.lang.security.audit.eval-detected.eval-detected", eval.ruleId());
        assertEquals("Detected the use of eval()", eval.title());
        assertEquals("high", eval.severity());
        assertEquals("code", eval.kind());
        assertEquals(Location.code("app/handlers.py", 42, 42, "    return eval(expression)"), eval.location());
        assertEquals(List.of("CWE-95"), eval.references());
        assertEquals("7d2e0f3c5b1a49e8c6d4b2a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0_0", eval.fingerprint());
        assertTrue(eval.message().startsWith("Detected the use of eval(). eval() can be dangerous"), eval.message());
        assertTrue(eval.raw().contains("\"ruleId\":\"python.lang.security.audit.eval-detected.eval-detected\""));
        assertEquals(List.of("CWE-489"), f.get(1).references());
        assertEquals(Location.code("app/main.py", 7, 7, null), f.get(1).location());
        assertNull(f.get(1).fingerprint());
        Finding key = f.get(2);
        assertEquals("secret", key.kind(), "a rule about secrets, whatever the tool");
        assertEquals("critical", key.severity());
        assertEquals("5f1c0e9a2b7d4c38:1", key.fingerprint(), "the partial fingerprint that is a hash");
        assertEquals("low", f.get(3).severity());
    }

    @Test
    void sarifFromRealTrivyConfigReadsItsSnippetsFromTheCheckout() throws IOException {
        // trivy fs --scanners config --format sarif on examples/planted-repo (offline): Dockerfile and k8s findings
        ScanReport r = ResultParser.forFormat("sarif", "trivy", null, PLANTED).parse(DIR.resolve("trivy-config-planted.sarif"));
        List<Finding> f = records(r);
        assertEquals(21, f.size());
        assertTrue(f.stream().allMatch(x -> x.kind().equals("config") && x.tool().equals("trivy")), "misconfigurations");
        Finding root = f.stream().filter(x -> x.ruleId().equals("DS002")).findFirst().orElseThrow();
        assertEquals("Image user should not be 'root'", root.title(), "trivy's HTML escapes undone");
        assertEquals("high", root.severity());
        assertEquals(Location.code("Dockerfile", 1, 1, "FROM node:latest"), root.location());
        assertTrue(root.message().contains("Specify at least 1 USER command in Dockerfile with non-root user"), root.message());
        Finding privileged = f.stream().filter(x -> x.ruleId().equals("KSV017")).findFirst().orElseThrow();
        assertEquals(Location.code("k8s/deployment.yaml", 10, 12, String.join("\n", Files.readAllLines(
                PLANTED.resolve("k8s/deployment.yaml")).subList(9, 12))), privileged.location());
        assertEquals("Privileged", privileged.title());
    }

    @Test
    void sarifFromRealSecretlintIsSecretsAndNeverQuotesTheFile() throws IOException {
        // secretlint --format @secretlint/secretlint-formatter-sarif on examples/planted-repo: it masks the values
        ScanReport r = ResultParser.forFormat("sarif", "secretlint", null, PLANTED).parse(DIR.resolve("secretlint-planted.sarif"));
        List<Finding> f = records(r);
        assertEquals(2, f.size());
        Finding aws = f.get(0);
        assertEquals("secret", aws.kind());
        assertEquals("@secretlint/secretlint-rule-preset-recommend > @secretlint/secretlint-rule-aws", aws.ruleId());
        assertTrue(aws.title().startsWith("found AWS Secret Access Key: ****"), "its rule description only repeats the id");
        assertEquals("high", aws.severity());
        // the file has the value on that line; the tool masked it, the record must not bring it back
        assertEquals(Location.code("config.js", 4, 4, null), aws.location());
        assertFalse(f.toString().contains("wJalrXUtnFEMI"), f.toString());
    }

    @Test
    void sarifKindsLocationsAndReferences(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        // the shapes gitleaks, checkov, trivy (vulnerabilities, secrets) and CodeQL give
        Path f = tmp.resolve("mixed.sarif");
        Files.writeString(f, """
                {"version": "2.1.0", "runs": [
                 {"tool": {"driver": {"name": "gitleaks"}}, "results": [{"ruleId": "aws-access-token",
                   "message": {"text": "aws-access-token has detected secret for file config.js."},
                   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "config.js"},
                     "region": {"startLine": 3, "snippet": {"text": "REDACTED"}}}}],
                   "partialFingerprints": {"commitSha": "", "email": "dev@example.com", "author": "Dev",
                     "date": "2026-12-01", "commitMessage": "add config"}}]},
                 {"tool": {"driver": {"name": "Checkov", "rules": [{"id": "CKV_DOCKER_2",
                   "shortDescription": {"text": "Ensure that HEALTHCHECK instructions have been added"}}]}},
                  "results": [{"ruleId": "CKV_DOCKER_2", "level": "error", "message": {"text": "HEALTHCHECK missing"},
                   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "Dockerfile"}, "region": {"startLine": 1}}}]}]},
                 {"tool": {"driver": {"name": "Trivy", "rules": [
                   {"id": "CVE-2021-23337", "helpUri": "https://avd.aquasec.com/nvd/cve-2021-23337",
                    "properties": {"security-severity": "7.2", "tags": ["vulnerability", "security", "HIGH"]}},
                   {"id": "aws-secret-access-key", "properties": {"tags": ["secret", "security", "CRITICAL"]}}]}},
                  "results": [{"ruleId": "CVE-2021-23337", "level": "error",
                   "message": {"text": "Package: lodash\\nInstalled Version: 4.17.15\\nVulnerability CVE-2021-23337\\nSeverity: HIGH\\nFixed Version: 4.17.21"},
                   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "package-lock.json"}, "region": {"startLine": 1}}}]},
                   {"ruleId": "aws-secret-access-key", "level": "error", "message": {"text": "Artifact: config.js"},
                   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "config.js"}, "region": {"startLine": 4}}}]}]},
                 {"tool": {"driver": {"name": "CodeQL", "rules": [{"id": "js/reflected-xss",
                   "properties": {"tags": ["security", "external/cwe/cwe-079", "external/cwe/cwe-116"]}}]}},
                  "results": [{"ruleIndex": 0, "message": {"text": "Cross-site scripting vulnerability due to user-provided value."},
                   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "../../etc/passwd"}, "region": {"startLine": 1}}}],
                   "partialFingerprints": {"primaryLocationLineHash": "39fa2ee980eb94b0:1"}}]}]}
                """);
        List<Finding> r = records(new SarifParser(PLANTED).parse(f));
        assertEquals(List.of("secret", "config", "dependency", "secret", "code"), r.stream().map(Finding::kind).toList());
        assertEquals("gitleaks", r.get(0).tool());
        assertEquals(Location.code("config.js", 3, 3, "REDACTED"), r.get(0).location(), "the tool's own snippet");
        assertNull(r.get(0).fingerprint(), "gitleaks' partial fingerprints are the commit's author, date and message");
        assertEquals("Ensure that HEALTHCHECK instructions have been added", r.get(1).title());
        assertEquals("FROM node:latest", r.get(1).location().snippet());
        assertEquals(Location.dependency("lodash", "4.17.15", null), r.get(2).location());
        assertEquals(List.of("CVE-2021-23337"), r.get(2).references());
        assertEquals("high", r.get(2).severity());
        assertEquals(Location.code("config.js", 4, 4, null), r.get(3).location(), "trivy's secrets are not quoted either");
        assertEquals("js/reflected-xss", r.get(4).ruleId(), "found by its index");
        assertEquals(List.of("CWE-79", "CWE-116"), r.get(4).references());
        assertEquals("39fa2ee980eb94b0:1", r.get(4).fingerprint());
        assertNull(r.get(4).location().snippet(), "nothing outside the checkout is read");
    }

    @Test
    void snippetsComeOnlyFromRegularFilesInsideTheCheckout(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path checkout = Files.createDirectory(tmp.resolve("checkout"));
        Path outside = Files.writeString(tmp.resolve("outside.txt"), "secret outside\n");
        Files.writeString(checkout.resolve("a.js"), "one\ntwo\nthree\n");
        Files.createSymbolicLink(checkout.resolve("link.js"), outside);
        SourceSnippets s = SourceSnippets.of(checkout);
        assertEquals("two\nthree", s.lines("a.js", 2, 3, 100));
        assertEquals("two", s.lines("a.js", 2, null, 100));
        assertEquals("two\nthree", s.lines("a.js", 2, 99, 100), "an end past the file stops at its last line");
        assertEquals("tw", s.lines("a.js", 2, 3, 2));
        assertNull(s.lines("a.js", 9, 9, 100));
        assertNull(s.lines("link.js", 1, 1, 100));
        assertNull(s.lines("../outside.txt", 1, 1, 100));
        assertNull(s.lines(outside.toString(), 1, 1, 100));
        assertNull(SourceSnippets.of(tmp.resolve("gone")).lines("a.js", 1, 1, 100));
    }

    @Test
    void emptySarifHasNoFindings(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("empty.sarif");
        Files.writeString(f, "{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"gitleaks\"}},\"results\":[]}]}");
        ScanReport r = new SarifParser().parse(f);
        assertEquals(0, r.findingsCount());
        assertEquals(Map.of(), r.findingsBySeverity());
    }

    @Test
    void garbageIsAnErrorNotACrash(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("garbage");
        Files.writeString(f, "<<<not what you think>>>");
        assertThrows(IOException.class, () -> new SarifParser().parse(f));
        assertThrows(IOException.class, () -> new NmapXmlParser().parse(f));
        assertThrows(IOException.class, () -> new TestsslJsonParser().parse(f));
        assertThrows(IOException.class, () -> new NmapXmlParser().parse(tmp.resolve("missing.xml")));
    }

    @Test
    void externalEntitiesAreNeverResolved(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "TOPSECRET");
        Path f = tmp.resolve("evil.xml");
        Files.writeString(f, "<?xml version=\"1.0\"?><!DOCTYPE nmaprun [<!ENTITY x SYSTEM \"file://" + secret
                + "\">]><nmaprun><host><address addr=\"&x;\"/></host></nmaprun>");
        try {
            ScanReport r = new NmapXmlParser().parse(f);
            assertTrue(!r.output().toString().contains("TOPSECRET"), r.output().toString());
        } catch (IOException refused) {
            // refusing the document is fine too
        }
    }

    @Test
    void unknownFormatIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ResultParser.forFormat("pdf"));
    }

    @Test
    void nmapSeesTlsFromTheSslCertScript() throws IOException {
        // nmap 7.93 -Pn -n -p 18443 --script ssl-cert 127.0.0.1 against openssl s_server (no -sV)
        ScanReport r = new NmapXmlParser().parse(DIR.resolve("nmap-ssl-cert.xml"));
        assertEquals(List.of(18443), r.output().get("open_ports"));
        assertEquals(1, r.output().get("open_port_count"));
        assertEquals(List.of(18443), r.output().get("tls_ports"));
        assertEquals(1, r.output().get("tls_port_count"));
        assertEquals(18443, r.output().get("tls_port"));
        assertEquals(List.of(), r.output().get("vulnerabilities"));
        // the -sV scan's ssl tunnel counts as TLS too; a plain HTTP port does not
        ScanReport sv = new NmapXmlParser().parse(DIR.resolve("nmap-localhost.xml"));
        assertEquals(List.of(18443), sv.output().get("tls_ports"));
    }

    @Test
    void nmapVulnScriptsAreHighFindings(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        // the shape nmap -oX gives an NSE vuln script's result (ssl-heartbleed, "State: VULNERABLE")
        Path f = tmp.resolve("vuln.xml");
        Files.writeString(f, """
                <?xml version="1.0"?><nmaprun><host><address addr="10.0.0.9" addrtype="ipv4"/><ports>
                <port protocol="tcp" portid="443"><state state="open"/><service name="https"/>
                <script id="ssl-heartbleed" output="&#xa;  VULNERABLE:&#xa;  The Heartbleed Bug&#xa;    State: VULNERABLE">
                <table key="NMAP-1"><elem key="title">The Heartbleed Bug</elem><elem key="state">VULNERABLE</elem>
                <table key="ids"><elem>CVE:CVE-2014-0160</elem></table></table></script>
                <script id="ssl-poodle" output="NOT VULNERABLE"/></port></ports></host></nmaprun>
                """);
        ScanReport r = new NmapXmlParser().parse(f);
        assertEquals(2, r.findingsCount());
        assertEquals(Map.of("high", 1, "info", 1), r.findingsBySeverity());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> v = (List<Map<String, Object>>) r.output().get("vulnerabilities");
        assertEquals("ssl-heartbleed", v.get(0).get("script"));
        assertEquals(443, v.get(0).get("port"));
        assertEquals(List.of(443), r.output().get("tls_ports"));
        Finding heartbleed = records(r).get(0);
        assertEquals("ssl-heartbleed", heartbleed.ruleId());
        assertEquals("The Heartbleed Bug", heartbleed.title());
        assertEquals("high", heartbleed.severity());
        assertEquals(Location.network("10.0.0.9", 443, "tcp"), heartbleed.location());
        assertEquals(List.of("CVE-2014-0160"), heartbleed.references());
        assertEquals("open-port", r.findings().get(1).ruleId());
    }

    @Test
    void cycloneDxFromRealTrivy() throws IOException {
        // trivy fs --format cyclonedx on a directory with package.json and package-lock.json (lodash, minimist)
        ScanReport r = new CycloneDxParser().parse(DIR.resolve("trivy-cyclonedx.json"));
        assertEquals(0, r.findingsCount());
        assertEquals(3, r.output().get("component_count"));
        @SuppressWarnings("unchecked")
        List<String> components = (List<String>) r.output().get("components");
        assertTrue(components.contains("pkg:npm/lodash@4.17.15"), components.toString());
        assertEquals("1.5", r.output().get("spec_version"));
        assertEquals(Map.of("application", 1, "library", 2), r.output().get("component_types"));
        assertEquals(List.of(), records(r));
    }

    @Test
    void cycloneDxVulnerabilitiesAreRatedByTheirHighestRating(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("bom.json");
        Files.writeString(f, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5",
                 "metadata": {"tools": {"components": [{"type": "application", "name": "trivy"}]}},
                 "components": [{"bom-ref": "pkg:npm/lodash@4.17.15", "type": "library", "name": "lodash",
                 "version": "4.17.15", "purl": "pkg:npm/lodash@4.17.15", "components": [{"type": "file", "name": "y"}]}],
                 "vulnerabilities": [{"id": "CVE-2021-23337", "ratings": [{"severity": "medium"}, {"severity": "critical"}],
                 "cwes": [77, 94], "description": "Command injection via template.",
                 "advisories": [{"url": "https://github.com/advisories/GHSA-35jh-r3h4-6jhm"}],
                 "affects": [{"ref": "pkg:npm/lodash@4.17.15"}]},
                 {"id": "CVE-2020-8203", "ratings": [], "affects": [{"ref": "pkg:npm/%40babel/core@7.0.0?x=1"}]}]}
                """);
        ScanReport r = new CycloneDxParser().parse(f);
        assertEquals(2, r.findingsCount());
        assertEquals(Map.of("critical", 1, "info", 1), r.findingsBySeverity());
        assertEquals(2, r.output().get("component_count"));
        List<Finding> records = records(r);
        Finding lodash = records.get(0);
        assertEquals("trivy", lodash.tool(), "the BOM's tool");
        assertEquals("CVE-2021-23337", lodash.ruleId());
        assertEquals("CVE-2021-23337 in lodash 4.17.15", lodash.title());
        assertEquals("dependency", lodash.kind());
        assertEquals("critical", lodash.severity());
        assertEquals(Location.dependency("lodash", "4.17.15", "pkg:npm/lodash@4.17.15"), lodash.location());
        assertEquals(List.of("CVE-2021-23337", "CWE-77", "CWE-94", "GHSA-35jh-r3h4-6jhm"), lodash.references());
        assertEquals("Command injection via template.", lodash.message());
        assertEquals("unknown", records.get(1).severity(), "no rating: unknown (counted as info)");
        assertEquals(Location.dependency("core", "7.0.0", "pkg:npm/%40babel/core@7.0.0?x=1"), records.get(1).location(),
                "a component the BOM does not list: what its package URL says");
        assertThrows(IOException.class, () -> new CycloneDxParser().parse(DIR.resolve("grype-matches.json")));
    }

    @Test
    void grypeJson() throws IOException {
        // grype is not installable here: grype-matches.json is written in grype's documented JSON
        // output (-o json: matches[].vulnerability/artifact), with grype's severity words
        ScanReport r = new GrypeJsonParser().parse(DIR.resolve("grype-matches.json"));
        assertEquals(3, r.findingsCount());
        assertEquals(Map.of("critical", 1, "high", 1, "info", 1), r.findingsBySeverity());
        assertEquals(2, r.output().get("fixable_count"));
        assertEquals(List.of("lodash@4.17.15", "minimist@0.0.8", "libc6@2.36-9"), r.output().get("affected_packages"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> v = (List<Map<String, Object>>) r.output().get("vulnerabilities");
        assertEquals(List.of("4.17.21"), v.get(0).get("fixed_in"));

        List<Finding> f = records(ResultParser.forFormat("grype-json", "grype", null, null).parse(DIR.resolve("grype-matches.json")));
        assertEquals(List.of("CVE-2021-23337", "GHSA-vh95-rmgr-6w4m", "CVE-2019-1010022"),
                f.stream().map(Finding::ruleId).toList());
        assertTrue(f.stream().allMatch(x -> x.kind().equals("dependency") && x.tool().equals("grype")));
        assertEquals(Location.dependency("lodash", "4.17.15", "pkg:npm/lodash@4.17.15"), f.get(0).location());
        assertEquals("CVE-2021-23337 in lodash 4.17.15", f.get(0).title());
        assertEquals(List.of("CVE-2021-23337"), f.get(0).references());
        assertEquals("fixed in 4.17.21", f.get(0).message());
        assertEquals("high", f.get(0).severity());
        assertEquals(List.of("GHSA-vh95-rmgr-6w4m"), f.get(1).references());
        assertEquals("critical", f.get(1).severity());
        assertEquals(Location.dependency("libc6", "2.36-9", null), f.get(2).location());
        assertEquals("info", f.get(2).severity(), "Negligible");
        assertEquals("no fix (wont-fix)", f.get(2).message());
    }

    @Test
    void nucleiJsonLines() throws IOException {
        // nuclei is not installable here: nuclei-matches.jsonl follows nuclei's documented -jsonl
        // output (template-id, info.severity, matched-at), a blank line included
        ScanReport r = new NucleiJsonlParser().parse(DIR.resolve("nuclei-matches.jsonl"));
        assertEquals(3, r.findingsCount());
        assertEquals(Map.of("high", 1, "medium", 1, "info", 1), r.findingsBySeverity());
        assertEquals(List.of("exposed-env", "git-config", "tech-detect"), r.output().get("templates"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> m = (List<Map<String, Object>>) r.output().get("matches");
        assertEquals("http://127.0.0.1:18081/.env", m.get(0).get("matched_at"));

        List<Finding> f = records(r);
        assertEquals(List.of("exposed-env", "git-config", "tech-detect"), f.stream().map(Finding::ruleId).toList());
        assertTrue(f.stream().allMatch(x -> x.kind().equals("web") && x.tool().equals("nuclei") && x.fingerprint() == null));
        assertEquals("Exposed .env file", f.get(0).title());
        assertEquals(Location.web("http://127.0.0.1:18081/.env", null, null), f.get(0).location());
        Finding git = f.get(1);
        assertEquals(Location.web("http://127.0.0.1:18081/.git/config", "GET", null), git.location(), "method from the request");
        assertEquals(List.of("CWE-200"), git.references());
        assertEquals("medium", git.severity());
        assertTrue(git.message().startsWith("Git configuration was detected"), git.message());
        assertFalse(git.raw().contains("repositoryformatversion"), "no response in the excerpt: " + git.raw());
    }

    @Test
    void nucleiCveTemplatesGiveTheirClassification(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path f = Files.writeString(tmp.resolve("cve.jsonl"), "{\"template-id\":\"CVE-2021-41773\",\"info\":{\"name\":"
                + "\"Apache 2.4.49 - Path Traversal\",\"severity\":\"critical\",\"reference\":[\"https://nvd.nist.gov/vuln/detail/"
                + "CVE-2021-41773\"],\"classification\":{\"cve-id\":[\"cve-2021-41773\"],\"cwe-id\":[\"cwe-22\"]}},"
                + "\"matched-at\":\"http://10.0.0.5/cgi-bin/x?file=a\",\"fuzzing_parameter\":\"file\","
                + "\"extracted-results\":[\"root:x:0:0\"],\"request\":\"POST /cgi-bin/x HTTP/1.1\\r\\nHost: 10.0.0.5\\r\\n\"}\n");
        Finding cve = records(new NucleiJsonlParser("nuclei").parse(f)).get(0);
        assertEquals(List.of("CVE-2021-41773", "CWE-22"), cve.references());
        assertEquals(Location.web("http://10.0.0.5/cgi-bin/x?file=a", "POST", "file"), cve.location());
        assertEquals("critical", cve.severity());
        assertEquals("extracted: root:x:0:0", cve.message());
    }

    @Test
    void anEmptyNucleiFileIsACleanScanAndGarbageIsNot(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.jsonl"), "");
        assertEquals(0, new NucleiJsonlParser().parse(empty).findingsCount());
        Path bad = Files.writeString(tmp.resolve("bad.jsonl"), "{\"template-id\": \"x\"}\nnot json\n");
        IOException e = assertThrows(IOException.class, () -> new NucleiJsonlParser().parse(bad));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void ffufJsonFromARealRun() throws IOException {
        // ffuf 1.1.0 -w examples/scanners/wordlists/exposures.txt -mc 200 against python -m http.server
        // serving a directory with .env and .git/config
        ScanReport r = new FfufJsonParser("medium").parse(DIR.resolve("ffuf-exposures.json"));
        assertEquals(2, r.findingsCount());
        assertEquals(Map.of("medium", 2), r.findingsBySeverity());
        assertEquals(List.of("/.git/config", "/.env"), r.output().get("paths"));
        assertEquals(Map.of("200", 2), r.output().get("status_counts"));
        assertEquals(Map.of("info", 2), new FfufJsonParser(null).parse(DIR.resolve("ffuf-exposures.json")).findingsBySeverity());

        List<Finding> f = records(r);
        Finding git = f.get(0);
        assertEquals("ffuf", git.tool());
        assertEquals("ffuf-path", git.ruleId());
        assertEquals("web", git.kind());
        assertEquals("medium", git.severity());
        assertEquals("/.git/config answered 200", git.title());
        assertEquals(Location.web("http://127.0.0.1:18081/.git/config", "GET", null), git.location());
        assertEquals("GET http://127.0.0.1:18081/.git/config answered 200 (36 bytes, 3 words, 3 lines)", git.message());
        assertFalse(git.raw().contains("headers"), "ffuf's config (its headers: the credentials) is not the record");
        assertEquals(new FfufJsonParser.Fuzzed("ffuf-parameter", "id"), FfufJsonParser.fuzzed("https://x/api?a=1&id=FUZZ"));
        assertEquals(new FfufJsonParser.Fuzzed("ffuf-match", null), FfufJsonParser.fuzzed("https://x/api?a=1"));
    }

    @Test
    void openApiDescriptionsGiveEndpointsAndWhatTheyExpose() throws IOException {
        ScanReport r = new OpenApiParser().parse(DIR.resolve("openapi-petstore.yaml"));
        assertEquals(5, r.output().get("endpoint_count"));
        assertEquals(List.of("GET /pets", "POST /pets", "GET /pets/{id}", "DELETE /pets/{id}", "GET /health"),
                r.output().get("operations"));
        assertEquals(List.of("GET /pets", "DELETE /pets/{id}", "GET /health"), r.output().get("unauthenticated_operations"));
        assertEquals(List.of("bearer"), r.output().get("security_schemes"));
        // a plain-HTTP server (medium) and three operations anyone may call (low)
        assertEquals(Map.of("medium", 1, "low", 3), r.findingsBySeverity());

        ScanReport legacy = new OpenApiParser().parse(DIR.resolve("swagger2-noauth.json"));
        assertEquals("2.0", legacy.output().get("spec_version"));
        assertEquals(List.of("http://legacy.example.com/api"), legacy.output().get("servers"));
        assertEquals(Map.of("medium", 2, "low", 1), legacy.findingsBySeverity());

        List<Finding> f = records(r);
        assertEquals(List.of("plain-http-server", "unauthenticated-operation", "unauthenticated-operation",
                "unauthenticated-operation"), f.stream().map(Finding::ruleId).toList());
        assertTrue(f.stream().allMatch(x -> x.kind().equals("web") && x.tool().equals("openapi")));
        assertEquals(Location.web("http://staging.example.com/v1", null, null), f.get(0).location());
        assertEquals(List.of("CWE-319"), f.get(0).references());
        assertEquals(Location.web("https://api.example.com/v1/pets/{id}", "DELETE", null), f.get(2).location());
        assertEquals("DELETE /pets/{id} requires no authentication", f.get(2).title());
        assertEquals(List.of("CWE-306"), f.get(2).references());
        List<Finding> l = records(ResultParser.forFormat("openapi", "swagger", null, null).parse(DIR.resolve("swagger2-noauth.json")));
        assertEquals("no-security-scheme", l.get(0).ruleId());
        assertEquals("swagger", l.get(0).tool());
        assertEquals(Location.web("http://legacy.example.com/api/users", "GET", null), l.get(2).location());
        assertThrows(IOException.class, () -> new OpenApiParser().parse(DIR.resolve("grype-matches.json")));
    }

    @Test
    void sarifFileUrisBecomePathsInTheCheckout(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        // ESLint 9 + eslint-plugin-security + @microsoft/eslint-formatter-sarif on a checkout, its
        // URIs moved into this test's own directory: once while the checkout exists, once after it is gone
        Path checkout = Files.createDirectory(tmp.resolve("checkout"));
        Path sarif = tmp.resolve("eslint-security.sarif");
        Files.writeString(sarif, Files.readString(DIR.resolve("eslint-security.sarif"))
                .replace("file:///tmp/planted/", checkout.toUri().toString()));
        Files.copy(PLANTED.resolve("server.js"), checkout.resolve("server.js"));
        ScanReport r = new SarifParser("eslint", checkout).parse(sarif);
        assertFilesAreRelative(r);
        // ESLint quotes no code: the lines come from the checkout
        assertEquals(Location.code("server.js", 5, 5, "  exec(\"ping -c 1 \" + q.get(\"host\"), (e, out) => res.end(out));"),
                r.findings().get(0).location());
        assertEquals("code", r.findings().get(0).kind());
        assertEquals("Detects instances of \"child_process\" & non-literal \"exec()\" calls.", r.findings().get(0).title());
        Files.delete(checkout.resolve("server.js"));
        Files.delete(checkout);
        ScanReport gone = new SarifParser(checkout).parse(sarif);
        assertFilesAreRelative(gone);
        assertEquals(Location.code("server.js", 5, 5, null), gone.findings().get(0).location());
    }

    private static void assertFilesAreRelative(ScanReport r) {
        assertEquals(3, r.findingsCount());
        assertTrue(records(r).stream().allMatch(f -> f.location().file().equals("server.js")));
        @SuppressWarnings("unchecked")
        List<String> files = (List<String>) r.output().get("files");
        assertEquals(List.of("server.js"), files);
        assertTrue(((List<?>) r.output().get("rules")).contains("security/detect-child-process"));
    }

    @Test
    void everyFormatHasAParser() {
        for (String format : ResultParser.FORMATS) {
            assertTrue(ResultParser.forFormat(format) != null, format);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResultParser.forFormat("xml"));
        assertTrue(e.getMessage().contains("nuclei-jsonl"), e.getMessage());
    }
}
