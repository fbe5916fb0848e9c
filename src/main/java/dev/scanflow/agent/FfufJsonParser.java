package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * ffuf's JSON ({@code -of json -o FILE}): each result (a fuzzed input that matched) is a finding.
 * A 5xx answer is medium (the input broke the server); the others get the tool's
 * {@code default_severity} (for a list of sensitive files, a hit is the problem; for content
 * discovery it is information). The output lists the paths found with their status and size,
 * and counts by status.
 */
public final class FfufJsonParser implements ResultParser {

    static final int LISTED = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String defaultSeverity;

    public FfufJsonParser(String defaultSeverity) {
        this.defaultSeverity = defaultSeverity == null ? "info" : Severities.normalize(defaultSeverity);
    }

    @Override
    public ScanReport parse(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (!root.path("results").isArray()) {
            throw new IOException("not ffuf JSON: no results array");
        }
        Severities severities = new Severities();
        List<Map<String, Object>> found = new ArrayList<>();
        Map<String, Integer> byStatus = new TreeMap<>();
        for (JsonNode r : root.path("results")) {
            int status = r.path("status").asInt();
            String severity = status >= 500 ? "medium" : defaultSeverity;
            severities.add(severity);
            byStatus.merge(String.valueOf(status), 1, Integer::sum);
            if (found.size() < LISTED) {
                Map<String, Object> item = new LinkedHashMap<>();
                String url = r.path("url").asText();
                item.put("path", path(url));
                item.put("url", url);
                item.put("status", status);
                item.put("length", r.path("length").asLong());
                item.put("severity", severity);
                found.add(item);
            }
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("found", found);
        output.put("paths", found.stream().map(f -> f.get("path")).toList());
        output.put("status_counts", byStatus);
        return new ScanReport(root.path("results").size(), severities.counts(), output);
    }

    private static String path(String url) {
        try {
            String p = URI.create(url).getRawPath();
            return p == null || p.isEmpty() ? "/" : p;
        } catch (IllegalArgumentException e) {
            return url;
        }
    }
}
