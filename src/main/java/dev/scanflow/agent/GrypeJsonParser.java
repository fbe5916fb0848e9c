package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * grype's JSON ({@code -o json}): each match (a vulnerability in a package) is a finding, with
 * grype's severity (Negligible and Unknown count as info). The output lists the vulnerabilities
 * (id, severity, package, version, fixed in), how many have a fix, and the affected packages.
 */
public final class GrypeJsonParser implements ResultParser {

    static final int LISTED = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public ScanReport parse(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (!root.path("matches").isArray()) {
            throw new IOException("not grype JSON: no matches array");
        }
        Severities severities = new Severities();
        List<Map<String, Object>> listed = new ArrayList<>();
        Set<String> packages = new LinkedHashSet<>();
        int fixable = 0;
        for (JsonNode match : root.path("matches")) {
            JsonNode vuln = match.path("vulnerability");
            JsonNode artifact = match.path("artifact");
            String severity = Severities.normalize(vuln.path("severity").asText("unknown"));
            severities.add(severity);
            List<String> fixedIn = new ArrayList<>();
            vuln.path("fix").path("versions").forEach(v -> fixedIn.add(v.asText()));
            if ("fixed".equals(vuln.path("fix").path("state").asText()) || !fixedIn.isEmpty()) {
                fixable++;
            }
            String pkg = artifact.path("name").asText() + "@" + artifact.path("version").asText();
            packages.add(pkg);
            if (listed.size() < LISTED) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("id", vuln.path("id").asText());
                item.put("severity", severity);
                item.put("package", artifact.path("name").asText());
                item.put("version", artifact.path("version").asText());
                item.put("type", artifact.path("type").asText());
                item.put("fixed_in", fixedIn);
                listed.add(item);
            }
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("vulnerabilities", listed);
        output.put("fixable_count", fixable);
        output.put("affected_packages", new ArrayList<>(packages));
        return new ScanReport(root.path("matches").size(), severities.counts(), output);
    }
}
