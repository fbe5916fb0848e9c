package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.Finding.Location;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A CycloneDX JSON SBOM, as syft ({@code -o cyclonedx-json}), trivy ({@code --format cyclonedx})
 * and cdxgen write it. Components are not findings; the vulnerabilities a BOM may carry
 * (CycloneDX 1.4+, e.g. trivy's) are, rated by their highest rating: each a {@code dependency}
 * finding on the first component it affects. The output gives later steps
 * {@code component_count}, counts by component type and the first components' package URLs.
 */
public final class CycloneDxParser implements ResultParser {

    static final int LISTED_COMPONENTS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String tool;

    public CycloneDxParser() {
        this(null);
    }

    /** @param tool the findings' tool (null: the BOM's first tool, else {@code cyclonedx}) */
    public CycloneDxParser(String tool) {
        this.tool = tool;
    }

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
        Map<String, JsonNode> byRef = new HashMap<>();
        components.forEach(c -> byRef.putIfAbsent(c.path("bom-ref").asText(), c));
        String toolName = tool != null ? tool : bomTool(root.path("metadata").path("tools"));
        Severities severities = new Severities();
        List<Map<String, Object>> vulnerabilities = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        for (JsonNode v : root.path("vulnerabilities")) {
            String severity = highestRating(v.path("ratings"));
            severities.add(severity);
            findings.add(finding(toolName, v, severity, byRef));
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
        return new ScanReport(findings.size(), severities.counts(), output, findings);
    }

    private static Finding finding(String tool, JsonNode v, String severity, Map<String, JsonNode> byRef) {
        String id = Findings.text(v.path("id"));
        String ref = v.path("affects").path(0).path("ref").asText("");
        JsonNode component = byRef.get(ref);
        Location location;
        if (component != null) {
            location = Location.dependency(Findings.text(component.path("name")), Findings.text(component.path("version")),
                    Findings.text(component.path("purl")));
        } else if (ref.startsWith("pkg:")) {
            location = fromPurl(ref);
        } else {
            location = Location.dependency(ref.isEmpty() ? null : ref, null, null);
        }
        Findings.References refs = new Findings.References().add(id).add(Findings.text(v.path("source").path("url")));
        v.path("references").forEach(r -> refs.add(Findings.text(r.path("id"))));
        v.path("cwes").forEach(c -> refs.add("CWE-" + c.asText()));
        v.path("advisories").forEach(a -> refs.add(Findings.text(a.path("url"))));
        String description = Findings.text(v.path("description"));
        String message = description != null ? description : Findings.text(v.path("detail"));
        String recommendation = Findings.text(v.path("recommendation"));
        if (recommendation != null) {
            message = message == null ? recommendation : message + "\n" + recommendation;
        }
        return Findings.of(tool, id == null ? "unknown" : id, dependencyTitle(id, location), severity, "dependency",
                location, refs.list(), null, message, Findings.raw(v));
    }

    /** {@code CVE-2021-23337 in lodash 4.17.15}. */
    static String dependencyTitle(String id, Location where) {
        String pkg = where.packageName() == null ? null
                : where.packageName() + (where.version() == null ? "" : " " + where.version());
        return pkg == null ? id : (id == null ? "vulnerability" : id) + " in " + pkg;
    }

    /** A package URL's name (without its namespace) and version: {@code pkg:npm/lodash@4.17.15?x=y}. */
    static Location fromPurl(String purl) {
        String rest = purl.replaceFirst("[?#].*$", "");
        int slash = rest.lastIndexOf('/');
        int at = rest.lastIndexOf('@');
        String version = at > slash ? percentDecoded(rest.substring(at + 1)) : null;
        String name = percentDecoded(rest.substring(slash + 1, at > slash ? at : rest.length()));
        return Location.dependency(name, version, purl);
    }

    private static String percentDecoded(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** CycloneDX 1.4 lists tools; 1.5 gives them as components (trivy, syft). */
    private static String bomTool(JsonNode tools) {
        JsonNode first = tools.isArray() ? tools.path(0) : tools.path("components").path(0);
        String name = Findings.text(first.path("name"));
        return name != null ? name : "cyclonedx";
    }

    /** Components nest (a jar's classes, an image's packages under its OS). */
    private static void collect(JsonNode list, List<JsonNode> into) {
        for (JsonNode c : list) {
            into.add(c);
            collect(c.path("components"), into);
        }
    }

    /** The highest of the ratings; unknown when none says (counted as info). */
    private static String highestRating(JsonNode ratings) {
        String best = Severities.UNKNOWN;
        for (JsonNode r : ratings) {
            String s = Severities.normalize(r.path("severity").asText(""));
            if (Severities.rank(s) < Severities.rank(best)) {
                best = s;
            }
        }
        return best;
    }
}
