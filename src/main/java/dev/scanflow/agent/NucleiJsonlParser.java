package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.Finding.Location;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nuclei's JSON lines ({@code -jsonl -o FILE}): one line per match, each a {@code web} finding
 * rated by its template's {@code info.severity}, where it matched (the request's method, the
 * fuzzed parameter when nuclei says), and the template's CVE and CWE ids. An empty file is a
 * scan that matched nothing. The output lists the matches (template, name, severity, where) and
 * the templates that matched.
 */
public final class NucleiJsonlParser implements ResultParser {

    static final int LISTED = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REQUEST_LINE = Pattern.compile("^([A-Z]{3,10}) \\S+ HTTP/");

    private final String tool;

    public NucleiJsonlParser() {
        this(null);
    }

    /** @param tool the findings' tool (null: nuclei) */
    public NucleiJsonlParser(String tool) {
        this.tool = tool == null ? "nuclei" : tool;
    }

    @Override
    public ScanReport parse(Path file) throws IOException {
        Severities severities = new Severities();
        List<Map<String, Object>> matches = new ArrayList<>();
        Set<String> templates = new LinkedHashSet<>();
        List<Finding> findings = new ArrayList<>();
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
            if (m == null || !m.hasNonNull("template-id")) {
                throw new IOException("not nuclei JSONL: line " + lineNumber + " has no template-id");
            }
            String severity = Severities.normalize(m.path("info").path("severity").asText("info"));
            severities.add(severity);
            templates.add(m.get("template-id").asText());
            findings.add(finding(m, severity));
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
        return new ScanReport(findings.size(), severities.counts(), output, findings);
    }

    private Finding finding(JsonNode m, String severity) {
        JsonNode info = m.path("info");
        String url = Findings.text(m.path("matched-at"));
        String method = null;
        Matcher request = REQUEST_LINE.matcher(m.path("request").asText(""));
        if (request.find()) {
            method = request.group(1);
        }
        Location location = Location.web(url != null ? url : Findings.text(m.path("host")), method,
                Findings.text(m.path("fuzzing_parameter")));
        JsonNode classification = info.path("classification");
        Findings.References refs = new Findings.References().addAll(classification.path("cve-id"))
                .addAll(classification.path("cwe-id")).addAll(info.path("reference"));
        String message = Findings.text(info.path("description"));
        List<String> extracted = new ArrayList<>();
        m.path("extracted-results").forEach(e -> extracted.add(e.asText()));
        if (!extracted.isEmpty()) {
            message = (message == null ? "" : message + "\n") + "extracted: " + String.join(", ", extracted);
        }
        if (message == null) {
            message = "matched at " + location.url();
        }
        // the request and response are the bulk of a line and say little a reader needs here
        ObjectNode raw = m.deepCopy();
        raw.remove(List.of("request", "response", "curl-command"));
        String templateId = m.get("template-id").asText();
        String name = Findings.text(info.path("name"));
        return Findings.of(tool, templateId, name != null ? name : templateId, severity, "web", location, refs.list(),
                null, message, Findings.raw(raw));
    }
}
