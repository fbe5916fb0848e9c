package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A CycloneDX JSON SBOM, as syft ({@code -o cyclonedx-json}), trivy ({@code --format cyclonedx})
 * and cdxgen write it. Components are not findings; the vulnerabilities a BOM may carry
 * (CycloneDX 1.4+, e.g. trivy's) are, rated by their highest rating. The output gives later
 * steps {@code component_count}, counts by component type and the first components' package URLs.
 */
public final class CycloneDxParser implements ResultParser {

    static final int LISTED_COMPONENTS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public ScanReport parse(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (!"CycloneDX".equals(root.path("bomFormat").asText())) {
            throw new IOException("not a CycloneDX JSON BOM: bomFormat is not CycloneDX");
        }
        List<JsonNode> components = new ArrayList<>();
        collect(root.path("components"), components);
        Map<String, Integer> byType = new TreeMap<>();
        List<String> purls = new ArrayList<>();
        for (JsonNode c : components) {
            byType.merge(c.path("type").asText("unknown"), 1, Integer::sum);
            if (purls.size() < LISTED_COMPONENTS) {
                purls.add(c.hasNonNull("purl") ? c.get("purl").asText()
                        : c.path("name").asText() + (c.hasNonNull("version") ? "@" + c.get("version").asText() : ""));
            }
        }
        Severities severities = new Severities();
        List<Map<String, Object>> vulnerabilities = new ArrayList<>();
        for (JsonNode v : root.path("vulnerabilities")) {
            String severity = highestRating(v.path("ratings"));
            severities.add(severity);
            if (vulnerabilities.size() < LISTED_COMPONENTS) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("id", v.path("id").asText());
                item.put("severity", severity);
                List<String> affects = new ArrayList<>();
                v.path("affects").forEach(a -> affects.add(a.path("ref").asText()));
                item.put("affects", affects);
                vulnerabilities.add(item);
            }
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("sbom_format", "cyclonedx");
        output.put("spec_version", root.path("specVersion").asText(null));
        output.put("component_count", components.size());
        output.put("component_types", byType);
        output.put("components", purls);
        if (!vulnerabilities.isEmpty()) {
            output.put("vulnerabilities", vulnerabilities);
        }
        int count = root.path("vulnerabilities").size();
        return new ScanReport(count, severities.counts(), output);
    }

    /** Components nest (a jar's classes, an image's packages under its OS). */
    private static void collect(JsonNode list, List<JsonNode> into) {
        for (JsonNode c : list) {
            into.add(c);
            collect(c.path("components"), into);
        }
    }

    private static String highestRating(JsonNode ratings) {
        int best = Severities.ORDER.length - 1;
        for (JsonNode r : ratings) {
            String s = Severities.normalize(r.path("severity").asText("info"));
            for (int i = 0; i < Severities.ORDER.length; i++) {
                if (Severities.ORDER[i].equals(s) && i < best) {
                    best = i;
                }
            }
        }
        return Severities.ORDER[best];
    }
}
