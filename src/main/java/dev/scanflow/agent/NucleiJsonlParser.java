package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * nuclei's JSON lines ({@code -jsonl -o FILE}): one line per match, each a finding rated by its
 * template's {@code info.severity}. An empty file is a scan that matched nothing. The output
 * lists the matches (template, name, severity, where) and the templates that matched.
 */
public final class NucleiJsonlParser implements ResultParser {

    static final int LISTED = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public ScanReport parse(Path file) throws IOException {
        Severities severities = new Severities();
        List<Map<String, Object>> matches = new ArrayList<>();
        Set<String> templates = new LinkedHashSet<>();
        int count = 0;
        int lineNumber = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode m;
            try {
                m = JSON.readTree(line);
            } catch (IOException e) {
                throw new IOException("not nuclei JSONL: line " + lineNumber + " is not JSON", e);
            }
            if (!m.hasNonNull("template-id")) {
                throw new IOException("not nuclei JSONL: line " + lineNumber + " has no template-id");
            }
            count++;
            String severity = Severities.normalize(m.path("info").path("severity").asText("info"));
            severities.add(severity);
            templates.add(m.get("template-id").asText());
            if (matches.size() < LISTED) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("template_id", m.get("template-id").asText());
                item.put("name", m.path("info").path("name").asText());
                item.put("severity", severity);
                item.put("matched_at", m.path("matched-at").asText(m.path("host").asText()));
                matches.add(item);
            }
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("matches", matches);
        output.put("templates", new ArrayList<>(templates));
        return new ScanReport(count, severities.counts(), output);
    }
}
