package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * testssl.sh's JSON ({@code --jsonfile}). Checks rated LOW, MEDIUM, HIGH or CRITICAL are
 * findings; OK, INFO and WARN (testssl's own warnings) are not. The output lists the ids of the
 * findings and the protocols offered.
 */
public final class TestsslJsonParser implements ResultParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public ScanReport parse(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        JsonNode items = root.isArray() ? root : root.path("scanResult");
        if (!items.isArray()) {
            throw new IOException("not testssl.sh JSON: expected an array of findings");
        }
        Severities severities = new Severities();
        List<Map<String, Object>> findings = new ArrayList<>();
        List<String> protocols = new ArrayList<>();
        int count = 0;
        for (JsonNode item : items) {
            String id = item.path("id").asText();
            String severity = item.path("severity").asText("INFO").toLowerCase();
            String finding = item.path("finding").asText("");
            if (id.matches("SSLv2|SSLv3|TLS1|TLS1_1|TLS1_2|TLS1_3") && finding.startsWith("offered")) {
                protocols.add(id);
            }
            if (!List.of("low", "medium", "high", "critical").contains(severity)) {
                continue;
            }
            count++;
            severities.add(severity);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("id", id);
            f.put("severity", severity);
            f.put("finding", finding);
            findings.add(f);
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("findings", findings);
        output.put("protocols", protocols);
        return new ScanReport(count, severities.counts(), output);
    }
}
