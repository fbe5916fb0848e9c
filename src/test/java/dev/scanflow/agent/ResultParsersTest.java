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
}
