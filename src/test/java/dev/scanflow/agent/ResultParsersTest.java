package dev.scanflow.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parsers on real tool output captured on this kind of machine (src/test/resources/agent). */
class ResultParsersTest {

    private static final Path DIR = Path.of("src/test/resources/agent");

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
    }

    @Test
    void sarifSeveritiesComeFromSecuritySeverityThenLevel() throws IOException {
        ScanReport r = new SarifParser().parse(DIR.resolve("semgrep-style.sarif"));
        assertEquals(4, r.findingsCount());
        assertEquals(Map.of("critical", 1, "high", 1, "medium", 1, "low", 1), r.findingsBySeverity());
        assertEquals(List.of("Semgrep OSS"), r.output().get("tools"));
        assertEquals(List.of("app/handlers.py", "app/main.py", "config/settings.py", "tests/conftest.py"),
                r.output().get("files"));
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
                <script id="ssl-heartbleed" output="&#xa;  VULNERABLE:&#xa;  The Heartbleed Bug&#xa;    State: VULNERABLE"/>
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
    }

    @Test
    void cycloneDxVulnerabilitiesAreRatedByTheirHighestRating(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("bom.json");
        Files.writeString(f, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library", "name": "x",
                 "version": "1", "components": [{"type": "file", "name": "y"}]}],
                 "vulnerabilities": [{"id": "CVE-1", "ratings": [{"severity": "medium"}, {"severity": "critical"}],
                 "affects": [{"ref": "x"}]}, {"id": "CVE-2", "ratings": []}]}
                """);
        ScanReport r = new CycloneDxParser().parse(f);
        assertEquals(2, r.findingsCount());
        assertEquals(Map.of("critical", 1, "info", 1), r.findingsBySeverity());
        assertEquals(2, r.output().get("component_count"));
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
        assertFilesAreRelative(new SarifParser(checkout).parse(sarif));
        Files.delete(checkout);
        assertFilesAreRelative(new SarifParser(checkout).parse(sarif));
    }

    private static void assertFilesAreRelative(ScanReport r) {
        assertEquals(3, r.findingsCount());
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
