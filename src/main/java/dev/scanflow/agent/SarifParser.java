package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SARIF 2.1.0, as semgrep, trivy, gitleaks and checkov write it. Every result is a finding; its
 * severity is the rule's {@code properties.security-severity} (a CVSS-like score) when present,
 * else the result's (or the rule's default) level: error = high, warning = medium, note = low.
 * The output lists the rules hit and the files with findings (relative to the checkout when the
 * tool wrote absolute file URIs).
 */
public final class SarifParser implements ResultParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String sourcePrefix;
    private final String sourcePath;

    public SarifParser() {
        this(null);
    }

    /** @param sourceDir where the scanned checkout was: absolute file URIs under it become relative paths */
    public SarifParser(Path sourceDir) {
        // Path.toUri() ends in '/' only for a directory that exists when it is called; the checkout
        // may be gone by the time its results are read, so the separator is added here.
        this.sourcePrefix = sourceDir == null ? null : withSlash(sourceDir.toAbsolutePath().normalize().toUri().toString());
        this.sourcePath = sourceDir == null ? null : withSlash(sourceDir.toAbsolutePath().normalize().toString());
    }

    @Override
    public ScanReport parse(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (!root.path("runs").isArray()) {
            throw new IOException("not a SARIF log: no runs");
        }
        Severities severities = new Severities();
        Set<String> rulesHit = new LinkedHashSet<>();
        Set<String> files = new LinkedHashSet<>();
        List<String> tools = new ArrayList<>();
        int count = 0;
        for (JsonNode run : root.path("runs")) {
            tools.add(run.path("tool").path("driver").path("name").asText("unknown"));
            Map<String, JsonNode> rules = new HashMap<>();
            for (JsonNode rule : run.path("tool").path("driver").path("rules")) {
                rules.put(rule.path("id").asText(), rule);
            }
            for (JsonNode result : run.path("results")) {
                count++;
                String ruleId = result.path("ruleId").asText(null);
                JsonNode rule = ruleId == null ? null : rules.get(ruleId);
                severities.add(severity(result, rule));
                if (ruleId != null) {
                    rulesHit.add(ruleId);
                }
                for (JsonNode location : result.path("locations")) {
                    String uri = location.path("physicalLocation").path("artifactLocation").path("uri").asText(null);
                    if (uri != null) {
                        files.add(relative(uri));
                    }
                }
            }
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("tools", tools);
        output.put("rules", new ArrayList<>(rulesHit));
        output.put("files", new ArrayList<>(files));
        return new ScanReport(count, severities.counts(), output);
    }

    private static String withSlash(String path) {
        return path.endsWith("/") ? path : path + "/";
    }

    private String relative(String uri) {
        if (sourcePrefix != null) {
            String u = uri.startsWith("file:///") ? uri : uri.replaceFirst("^file:/", "file:///");
            if (u.startsWith(sourcePrefix)) {
                return u.substring(sourcePrefix.length());
            }
            if (uri.startsWith(sourcePath)) {
                return uri.substring(sourcePath.length());
            }
        }
        return uri;
    }

    static String severity(JsonNode result, JsonNode rule) {
        if (rule != null) {
            JsonNode score = rule.path("properties").path("security-severity");
            if (score.isTextual() || score.isNumber()) {
                try {
                    return Severities.fromScore(Double.parseDouble(score.asText()));
                } catch (NumberFormatException ignored) {
                    // fall back to the level
                }
            }
        }
        String level = result.path("level").asText(null);
        if (level == null && rule != null) {
            level = rule.path("defaultConfiguration").path("level").asText("warning");
        }
        return switch (level == null ? "warning" : level) {
            case "error" -> "high";
            case "warning" -> "medium";
            case "note" -> "low";
            default -> "info";
        };
    }
}
