package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.Finding.Location;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * ffuf's JSON ({@code -of json -o FILE}): each result (a fuzzed input that matched) is a
 * {@code web} finding: rule {@code ffuf-path} when the fuzzed keyword is in the URL's path,
 * {@code ffuf-parameter} (naming the parameter) when it is a query parameter's value, else
 * {@code ffuf-match}. A 5xx answer is medium (the input broke the server); the others get the
 * tool's {@code default_severity} (for a list of sensitive files, a hit is the problem; for
 * content discovery it is information). The output lists the paths found with their status and
 * size, and counts by status. ffuf's {@code config} (which holds the request's headers, so the
 * credentials used) is never reported.
 */
public final class FfufJsonParser implements ResultParser {

    static final int LISTED = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String tool;
    private final String defaultSeverity;

    public FfufJsonParser(String defaultSeverity) {
        this(null, defaultSeverity);
    }

    /** @param tool the findings' tool (null: ffuf) */
    public FfufJsonParser(String tool, String defaultSeverity) {
        this.tool = tool == null ? "ffuf" : tool;
        this.defaultSeverity = defaultSeverity == null ? "info" : Severities.normalize(defaultSeverity);
    }

    @Override
    public ScanReport parse(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (root == null || !root.path("results").isArray()) {
            throw new IOException("not ffuf JSON: no results array");
        }
        String method = root.path("config").path("method").asText("GET");
        Fuzzed fuzzed = fuzzed(root.path("config").path("url").asText(""));
        Severities severities = new Severities();
        List<Map<String, Object>> found = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        Map<String, Integer> byStatus = new TreeMap<>();
        for (JsonNode r : root.path("results")) {
            int status = r.path("status").asInt();
            String severity = status >= 500 ? "medium" : defaultSeverity;
            severities.add(severity);
            byStatus.merge(String.valueOf(status), 1, Integer::sum);
            String url = r.path("url").asText();
            findings.add(Findings.of(tool, fuzzed.rule(), path(url) + " answered " + status, severity, "web",
                    Location.web(url, method, fuzzed.parameter()), List.of(), null,
                    method + " " + url + " answered " + status + " (" + r.path("length").asLong() + " bytes, "
                            + r.path("words").asLong() + " words, " + r.path("lines").asLong() + " lines)"
                            + (r.path("redirectlocation").asText("").isEmpty() ? ""
                                    : ", redirecting to " + r.path("redirectlocation").asText()),
                    Findings.raw(r)));
            if (found.size() < LISTED) {
                Map<String, Object> item = new LinkedHashMap<>();
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
        return new ScanReport(findings.size(), severities.counts(), output, findings);
    }

    /** What ffuf's {@code -u} URL fuzzes: the findings' rule, and the parameter or null. */
    record Fuzzed(String rule, String parameter) {
    }

    static Fuzzed fuzzed(String url) {
        int query = url.indexOf('?');
        String path = query < 0 ? url : url.substring(0, query);
        if (path.contains("FUZZ") || url.isEmpty()) {
            return new Fuzzed("ffuf-path", null);
        }
        if (query >= 0) {
            for (String pair : url.substring(query + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(eq + 1).contains("FUZZ")) {
                    return new Fuzzed("ffuf-parameter", pair.substring(0, eq));
                }
            }
        }
        return new Fuzzed("ffuf-match", null);
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
