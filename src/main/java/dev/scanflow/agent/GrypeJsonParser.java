package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.Finding.Location;
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
 * grype's severity (Negligible counts as info, Unknown is unknown and counts as info), a
 * {@code dependency} finding on the matched package. The output lists the vulnerabilities (id,
 * severity, package, version, fixed in), how many have a fix, and the affected packages.
 */
public final class GrypeJsonParser implements ResultParser {

    static final int LISTED = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String tool;

    public GrypeJsonParser() {
        this(null);
    }

    /** @param tool the findings' tool (null: the file's {@code descriptor.name}, else grype) */
    public GrypeJsonParser(String tool) {
        this.tool = tool;
    }

    @Override
    public ScanReport parse(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (!root.path("matches").isArray()) {
            throw new IOException("not grype JSON: no matches array");
        }
        String toolName = tool != null ? tool : root.path("descriptor").path("name").asText("grype");
        Severities severities = new Severities();
        List<Finding> findings = new ArrayList<>();
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
            findings.add(finding(toolName, match, severity, fixedIn));
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
        return new ScanReport(findings.size(), severities.counts(), output, findings);
    }

    private static Finding finding(String tool, JsonNode match, String severity, List<String> fixedIn) {
        JsonNode vuln = match.path("vulnerability");
        JsonNode artifact = match.path("artifact");
        String id = Findings.text(vuln.path("id"));
        Location location = Location.dependency(Findings.text(artifact.path("name")), Findings.text(artifact.path("version")),
                Findings.text(artifact.path("purl")));
        Findings.References refs = new Findings.References().add(id).add(Findings.text(vuln.path("dataSource")))
                .addAll(vuln.path("urls")).addAll(vuln.path("cwes"));
        for (JsonNode related : match.path("relatedVulnerabilities")) {
            refs.add(Findings.text(related.path("id"))).add(Findings.text(related.path("dataSource")))
                    .addAll(related.path("urls"));
        }
        String description = Findings.text(vuln.path("description"));
        if (description == null) {
            for (JsonNode related : match.path("relatedVulnerabilities")) {
                description = description != null ? description : Findings.text(related.path("description"));
            }
        }
        String fix = fixedIn.isEmpty() ? "no fix (" + vuln.path("fix").path("state").asText("unknown") + ")"
                : "fixed in " + String.join(", ", fixedIn);
        String message = (description == null ? "" : description + "\n") + fix;
        return Findings.of(tool, id == null ? "unknown" : id, CycloneDxParser.dependencyTitle(id, location), severity,
                "dependency", location, refs.list(), null, message, Findings.raw(match));
    }
}
