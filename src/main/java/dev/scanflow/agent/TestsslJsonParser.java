package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.Finding.Location;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * testssl.sh's JSON ({@code --jsonfile}). Checks rated LOW, MEDIUM, HIGH or CRITICAL are
 * findings; OK, INFO and WARN (testssl's own warnings) are not. Each is a {@code tls} record:
 * rule the check's id, on the host (testssl's name for it, before the {@code /ip}) and port,
 * with the check's {@code cve} and {@code cwe}. The output lists the ids of the findings and the
 * protocols offered.
 */
public final class TestsslJsonParser implements ResultParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String tool;

    public TestsslJsonParser() {
        this(null);
    }

    /** @param tool the findings' tool (null: testssl) */
    public TestsslJsonParser(String tool) {
        this.tool = tool == null ? "testssl" : tool;
    }

    @Override
    public ScanReport parse(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        JsonNode items = root == null ? null : root.isArray() ? root : root.path("scanResult");
        if (items == null || !items.isArray()) {
            throw new IOException("not testssl.sh JSON: expected an array of findings");
        }
        Severities severities = new Severities();
        List<Map<String, Object>> listed = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        List<String> protocols = new ArrayList<>();
        for (JsonNode item : items) {
            String id = item.path("id").asText();
            String severity = item.path("severity").asText("INFO").toLowerCase(Locale.ROOT);
            String finding = item.path("finding").asText("");
            if (id.matches("SSLv2|SSLv3|TLS1|TLS1_1|TLS1_2|TLS1_3") && finding.startsWith("offered")) {
                protocols.add(id);
            }
            if (!List.of("low", "medium", "high", "critical").contains(severity)) {
                continue;
            }
            severities.add(severity);
            findings.add(finding(item, id, severity, finding));
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("id", id);
            f.put("severity", severity);
            f.put("finding", finding);
            listed.add(f);
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("findings", listed);
        output.put("protocols", protocols);
        return new ScanReport(findings.size(), severities.counts(), output, findings);
    }

    private Finding finding(JsonNode item, String id, String severity, String finding) {
        String ip = item.path("ip").asText("");
        String host = ip.contains("/") ? ip.substring(0, ip.indexOf('/')) : ip;
        String port = item.path("port").asText("");
        Integer portNumber = port.matches("\\d{1,5}") ? Integer.valueOf(port) : null;
        Findings.References refs = new Findings.References().add(item.path("cve").asText(null))
                .add(item.path("cwe").asText(null));
        String hint = Findings.text(item.path("hint"));
        return Findings.of(tool, id, id + ": " + finding, severity, "tls",
                Location.network(host.isEmpty() ? null : host, portNumber, "tcp"), refs.list(), null,
                finding + (hint == null ? "" : "\n" + hint), Findings.raw(item));
    }
}
