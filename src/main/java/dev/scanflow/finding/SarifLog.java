package dev.scanflow.finding;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Findings as a SARIF 2.1.0 log (docs/api.md, "Findings as SARIF 2.1.0"): one run per reporting
 * tool (the first of a finding's tools), with a rule per rule id and a result per finding. The
 * log is streamed: each result is written as it comes, and a run's rules follow its results (a
 * JSON object's members have no order), so 50,000 findings never become one string.
 *
 * <p>Over 300 lines because SARIF's shape is written here in one streaming pass (log, runs,
 * results with their locations, fingerprints, suppressions and provenance, then the rules);
 * the URIs are {@link SarifUris}'.
 */
public final class SarifLog {

    public static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
    public static final String VERSION = "2.1.0";
    /** The partialFingerprints key of a finding's id: the same in every run (its identity stays in the service). */
    public static final String FINGERPRINT_KEY = "scanflow/v1";
    /** The API under the base URL: links to the run and to each finding. */
    static final String API_PATH = "/api/v1";

    private static final String SRCROOT = "%SRCROOT%";
    private static final String SCANFLOW_URI = "https://scanflow.dev";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where to learn about the tools Scanflow's templates run; a tool not listed gets no informationUri. */
    private static final Map<String, String> TOOL_URIS = Map.ofEntries(
            Map.entry("trivy", "https://trivy.dev"),
            Map.entry("grype", "https://github.com/anchore/grype"),
            Map.entry("syft", "https://github.com/anchore/syft"),
            Map.entry("semgrep", "https://semgrep.dev"),
            Map.entry("gitleaks", "https://github.com/gitleaks/gitleaks"),
            Map.entry("checkov", "https://www.checkov.io"),
            Map.entry("nuclei", "https://github.com/projectdiscovery/nuclei"),
            Map.entry("nmap", "https://nmap.org"),
            Map.entry("testssl", "https://testssl.sh"),
            Map.entry("ffuf", "https://github.com/ffuf/ffuf"),
            Map.entry("eslint", "https://eslint.org"),
            Map.entry("secretlint", "https://github.com/secretlint/secretlint"),
            Map.entry("zap", "https://www.zaproxy.org"));

    /** References that have a page to link: NVD for CVEs, MITRE for CWEs, GitHub for GHSAs. */
    private static final Pattern CVE = Pattern.compile("CVE-\\d{4}-\\d{4,}", Pattern.CASE_INSENSITIVE);
    private static final Pattern CWE = Pattern.compile("CWE-(\\d+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern GHSA = Pattern.compile("GHSA(-[0-9a-z]{4}){3}", Pattern.CASE_INSENSITIVE);

    /** What RFC 3986 lets a path (and, with ':' and '?', a query or fragment) hold unencoded. */

    /**
     * What the log says about itself: Scanflow's version, the run and asset it is about (either
     * may be null: an asset's current findings have no run), and the service's base URL for links
     * (null: no links).
     */
    public record Header(String scanflowVersion, UUID runId, String assetName, String baseUrl) {
    }

    private final Header header;

    public SarifLog(Header header) {
        this.header = header == null ? new Header(null, null, null, null) : header;
    }

    public byte[] bytes(List<FindingView> findings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(findings, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public ObjectNode json(List<FindingView> findings) {
        try (TokenBuffer buffer = new TokenBuffer(JSON, false)) {
            write(findings, buffer);
            return (ObjectNode) JSON.readTree(buffer.asParser());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the log to {@code out}, which stays open (a response body belongs to its caller). */
    public void write(List<FindingView> findings, OutputStream out) throws IOException {
        try (JsonGenerator gen = JSON.getFactory().createGenerator(out)) {
            gen.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            write(findings, gen);
        }
    }

    public void write(List<FindingView> findings, JsonGenerator gen) throws IOException {
        Map<String, List<FindingView>> byTool = new LinkedHashMap<>();
        for (FindingView f : findings) {
            byTool.computeIfAbsent(reportingTool(f), t -> new ArrayList<>()).add(f);
        }
        gen.writeStartObject();
        gen.writeStringField("$schema", SCHEMA);
        gen.writeStringField("version", VERSION);
        gen.writeArrayFieldStart("runs");
        for (Map.Entry<String, List<FindingView>> run : byTool.entrySet()) {
            writeRun(gen, run.getKey(), run.getValue());
        }
        gen.writeEndArray();
        gen.writeEndObject();
        gen.flush();
    }

    private void writeRun(JsonGenerator gen, String tool, List<FindingView> findings) throws IOException {
        Map<String, Rule> rules = new LinkedHashMap<>();
        boolean srcroot = false;
        gen.writeStartObject();
        gen.writeArrayFieldStart("results");
        for (FindingView f : findings) {
            String id = ruleId(f);
            Rule rule = rules.computeIfAbsent(id, k -> new Rule(rules.size(), k, f.title(), f.kind()));
            rule.add(f);
            srcroot |= writeResult(gen, f, rule);
        }
        gen.writeEndArray();

        gen.writeObjectFieldStart("tool");
        gen.writeObjectFieldStart("driver");
        gen.writeStringField("name", tool);
        stringField(gen, "informationUri", TOOL_URIS.get(tool.toLowerCase(Locale.ROOT)));
        gen.writeArrayFieldStart("rules");
        for (Rule rule : rules.values()) {
            rule.write(gen);
        }
        gen.writeEndArray();
        gen.writeEndObject();
        gen.writeEndObject();

        // Scanflow turned the tool's output into findings and the findings into this run.
        gen.writeObjectFieldStart("conversion");
        gen.writeObjectFieldStart("tool");
        gen.writeObjectFieldStart("driver");
        gen.writeStringField("name", "Scanflow");
        stringField(gen, "version", header.scanflowVersion());
        gen.writeStringField("informationUri", SCANFLOW_URI);
        gen.writeEndObject();
        gen.writeEndObject();
        gen.writeEndObject();

        String automationId = automationId();
        if (automationId != null) {
            gen.writeObjectFieldStart("automationDetails");
            gen.writeStringField("id", automationId);
            gen.writeEndObject();
        }
        if (srcroot) {
            gen.writeObjectFieldStart("originalUriBaseIds");
            gen.writeObjectFieldStart(SRCROOT);
            message(gen, "description", "The root of the scanned asset's checkout.");
            gen.writeEndObject();
            gen.writeEndObject();
        }
        if (header.runId() != null || header.assetName() != null) {
            gen.writeObjectFieldStart("properties");
            stringField(gen, "scanflow/run_id", uuid(header.runId()));
            stringField(gen, "scanflow/asset", header.assetName());
            stringField(gen, "scanflow/run_url", link("/pipeline-runs/", header.runId()));
            gen.writeEndObject();
        }
        gen.writeEndObject();
    }

    /**
     * GitHub takes the part of automationDetails.id up to its last slash as the analysis'
     * category: one per asset, the run's id after it.
     */
    private String automationId() {
        if (header.runId() == null && header.assetName() == null) {
            return null;
        }
        String category = "scanflow/" + (header.assetName() == null ? "" : header.assetName() + "/");
        return header.runId() == null ? category : category + header.runId();
    }

    /** @return whether the result's location is relative to %SRCROOT% */
    private boolean writeResult(JsonGenerator gen, FindingView f, Rule rule) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("ruleId", rule.id);
        gen.writeNumberField("ruleIndex", rule.index);
        gen.writeStringField("level", level(f.severity()));
        message(gen, "message", firstText(f.message(), f.title(), rule.id));
        boolean srcroot = writeLocations(gen, f);

        gen.writeObjectFieldStart("partialFingerprints");
        stringField(gen, FINGERPRINT_KEY, f.id() == null ? null : f.id().toString());
        if (present(f.fingerprint())) {
            gen.writeStringField(reportingTool(f) + "/v1", f.fingerprint());
        }
        gen.writeEndObject();
        if (f.id() != null) {
            // the same finding in logs of other runs: SARIF's "logically the same result"
            gen.writeStringField("correlationGuid", f.id().toString());
        }
        stringField(gen, "baselineState", baselineState(f.change() != null ? f.change() : f.state()));
        if (f.suppressed()) {
            gen.writeArrayFieldStart("suppressions");
            gen.writeStartObject();
            gen.writeStringField("kind", "external");
            gen.writeStringField("status", "accepted");
            stringField(gen, "guid", uuid(f.suppressionId()));
            gen.writeEndObject();
            gen.writeEndArray();
        }
        if (f.firstSeenAt() != null || f.lastSeenAt() != null) {
            gen.writeObjectFieldStart("provenance");
            stringField(gen, "firstDetectionTimeUtc", time(f.firstSeenAt()));
            stringField(gen, "lastDetectionTimeUtc", time(f.lastSeenAt()));
            stringField(gen, "firstDetectionRunGuid", uuid(f.firstSeenRunId()));
            stringField(gen, "lastDetectionRunGuid", uuid(f.lastSeenRunId()));
            gen.writeEndObject();
        }

        gen.writeObjectFieldStart("properties");
        stringField(gen, "scanflow/finding_id", uuid(f.id()));
        stringField(gen, "scanflow/kind", f.kind());
        stringField(gen, "scanflow/severity", f.severity());
        stringField(gen, "scanflow/state", f.state());
        stringField(gen, "scanflow/change", f.change());
        stringField(gen, "scanflow/fixed_at", time(f.fixedAt()));
        if (f.tools() != null && f.tools().size() > 1) {
            gen.writeArrayFieldStart("scanflow/tools");
            for (String t : f.tools()) {
                gen.writeString(t);
            }
            gen.writeEndArray();
        }
        stringField(gen, "scanflow/url", link("/findings/", f.id()));
        gen.writeEndObject();
        gen.writeEndObject();
        return srcroot;
    }

    /**
     * A file (with its lines) wherever the finding has one; else, for network, TLS and web
     * findings, the address as a URI; a dependency also as a logical location (package@version).
     *
     * @return whether the location is relative to %SRCROOT%
     */
    private static boolean writeLocations(JsonGenerator gen, FindingView f) throws IOException {
        Map<String, Object> loc = f.location() == null ? Map.of() : f.location();
        String file = text(loc, "file");
        String fileUri = file == null ? null : SarifUris.fileUri(file);
        String address = fileUri == null ? SarifUris.addressUri(f.kind(), text(loc, "host"), text(loc, "protocol"),
                number(loc, "port"), text(loc, "url")) : null;
        String module = moduleName(loc);
        if (fileUri == null && address == null && module == null) {
            return false;
        }
        boolean relative = fileUri != null && !fileUri.startsWith("file:");
        gen.writeArrayFieldStart("locations");
        gen.writeStartObject();
        if (fileUri != null || address != null) {
            gen.writeObjectFieldStart("physicalLocation");
            gen.writeObjectFieldStart("artifactLocation");
            gen.writeStringField("uri", fileUri != null ? fileUri : address);
            if (relative) {
                gen.writeStringField("uriBaseId", SRCROOT);
            }
            gen.writeEndObject();
            Integer start = number(loc, "start_line");
            if (fileUri != null && start != null && start >= 1) {
                gen.writeObjectFieldStart("region");
                gen.writeNumberField("startLine", start);
                Integer end = number(loc, "end_line");
                if (end != null && end >= start) {
                    gen.writeNumberField("endLine", end);
                }
                String snippet = text(loc, "snippet");
                if (snippet != null) {
                    gen.writeObjectFieldStart("snippet");
                    gen.writeStringField("text", snippet);
                    gen.writeEndObject();
                }
                gen.writeEndObject();
            }
            gen.writeEndObject();
        }
        if (module != null) {
            gen.writeArrayFieldStart("logicalLocations");
            gen.writeStartObject();
            gen.writeStringField("name", module);
            gen.writeStringField("kind", "module");
            gen.writeEndObject();
            gen.writeEndArray();
        }
        String purl = text(loc, "purl");
        String method = text(loc, "method");
        String parameter = text(loc, "parameter");
        if (purl != null || method != null || parameter != null) {
            gen.writeObjectFieldStart("properties");
            stringField(gen, "purl", purl);
            stringField(gen, "method", method);
            stringField(gen, "parameter", parameter);
            gen.writeEndObject();
        }
        gen.writeEndObject();
        gen.writeEndArray();
        return relative;
    }

    private static String moduleName(Map<String, Object> loc) {
        String pkg = text(loc, "package");
        if (pkg == null) {
            return text(loc, "purl");
        }
        String version = text(loc, "version");
        return version == null ? pkg : pkg + "@" + version;
    }

    static String level(String severity) {
        return switch (severity == null ? "unknown" : severity) {
            case "critical", "high" -> "error";
            case "medium" -> "warning";
            case "low", "info" -> "note";
            default -> "warning";
        };
    }

    /** GitHub code scanning's security-severity: 9.0+ critical, 7.0+ high, 4.0+ medium, above 0 low. */
    static double securitySeverity(String severity) {
        return switch (severity == null ? "unknown" : severity) {
            case "critical" -> 9.5;
            case "high" -> 8.0;
            case "medium" -> 5.5;
            case "low" -> 2.0;
            default -> 0.0;
        };
    }

    /**
     * SARIF's baselineState has new, unchanged, updated and absent: a reopened finding is new
     * again, a fixed one absent.
     */
    static String baselineState(String state) {
        if (state == null) {
            return null;
        }
        return switch (state) {
            case "new", "reopened" -> "new";
            case "unchanged" -> "unchanged";
            case "fixed" -> "absent";
            default -> null;
        };
    }

    /** A reference's page, or null when it is none of CVE, CWE, GHSA. */
    static String referenceUri(String reference) {
        if (CVE.matcher(reference).matches()) {
            return "https://nvd.nist.gov/vuln/detail/" + reference.toUpperCase(Locale.ROOT);
        }
        Matcher cwe = CWE.matcher(reference);
        if (cwe.matches()) {
            return "https://cwe.mitre.org/data/definitions/" + Integer.parseInt(cwe.group(1)) + ".html";
        }
        if (GHSA.matcher(reference).matches()) {
            return "https://github.com/advisories/GHSA" + reference.substring(4).toLowerCase(Locale.ROOT);
        }
        return null;
    }

    private static String reportingTool(FindingView f) {
        String tool = f.tools() == null || f.tools().isEmpty() ? null : f.tools().get(0);
        return present(tool) ? tool.trim() : "unknown";
    }

    private static String ruleId(FindingView f) {
        return firstText(f.ruleId(), f.kind(), "unknown");
    }

    private String link(String path, UUID id) {
        if (header.baseUrl() == null || id == null) {
            return null;
        }
        String base = header.baseUrl().endsWith("/") ? header.baseUrl().substring(0, header.baseUrl().length() - 1)
                : header.baseUrl();
        return base + API_PATH + path + id;
    }

    /**
     * A message string: SARIF (3.11.5) reserves braces for placeholders, so a literal brace is
     * doubled.
     */
    private static void message(JsonGenerator gen, String field, String text) throws IOException {
        gen.writeObjectFieldStart(field);
        gen.writeStringField("text", text.replace("{", "{{").replace("}", "}}"));
        gen.writeEndObject();
    }

    private static void stringField(JsonGenerator gen, String field, String value) throws IOException {
        if (value != null) {
            gen.writeStringField(field, value);
        }
    }

    /** Milliseconds: the validator (.NET) reads at most seven fractional digits. */
    private static String time(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String uuid(UUID id) {
        return id == null ? null : id.toString();
    }

    private static String firstText(String... candidates) {
        for (String c : candidates) {
            if (present(c)) {
                return c;
            }
        }
        return "unknown";
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    private static String text(Map<String, Object> loc, String key) {
        Object v = loc.get(key);
        return v == null || v.toString().isBlank() ? null : v.toString();
    }

    private static Integer number(Map<String, Object> loc, String key) {
        Object v = loc.get(key);
        if (v instanceof Number n) {
            return n.intValue();
        }
        if (v instanceof String s && s.matches("\\d{1,9}")) {
            return Integer.parseInt(s);
        }
        return null;
    }

    /**
     * A rule as its results describe it: the first finding's title and kind, every reference
     * seen, and the highest security-severity (GitHub reads it from the rule, not the result).
     */
    private static final class Rule {
        final int index;
        final String id;
        final String title;
        final String kind;
        final Set<String> references = new LinkedHashSet<>();
        double score = -1;

        Rule(int index, String id, String title, String kind) {
            this.index = index;
            this.id = id;
            this.title = firstText(title, id);
            this.kind = kind;
        }

        void add(FindingView f) {
            if (f.references() != null) {
                f.references().stream().filter(SarifLog::present).forEach(references::add);
            }
            score = Math.max(score, securitySeverity(f.severity()));
        }

        void write(JsonGenerator gen) throws IOException {
            gen.writeStartObject();
            gen.writeStringField("id", id);
            message(gen, "shortDescription", title);
            message(gen, "fullDescription", title);
            String helpUri = references.stream().map(SarifLog::referenceUri).filter(u -> u != null).findFirst()
                    .orElse(null);
            stringField(gen, "helpUri", helpUri);
            writeHelp(gen);
            gen.writeObjectFieldStart("properties");
            gen.writeArrayFieldStart("tags");
            gen.writeString("security");
            if (present(kind)) {
                gen.writeString(kind);
            }
            for (String r : references) {
                gen.writeString(r);
            }
            gen.writeEndArray();
            gen.writeStringField("security-severity", String.format(Locale.ROOT, "%.1f", Math.max(score, 0)));
            gen.writeEndObject();
            gen.writeEndObject();
        }

        /** The title and the references, linked where they have a page. */
        private void writeHelp(JsonGenerator gen) throws IOException {
            StringBuilder text = new StringBuilder(title);
            StringBuilder markdown = new StringBuilder(title);
            if (!references.isEmpty()) {
                text.append("\n\nReferences: ").append(String.join(", ", references));
                markdown.append("\n\nReferences:");
                for (String r : references) {
                    String uri = referenceUri(r);
                    markdown.append("\n- ").append(uri == null ? r : "[" + r + "](" + uri + ")");
                }
            }
            gen.writeObjectFieldStart("help");
            gen.writeStringField("text", text.toString().replace("{", "{{").replace("}", "}}"));
            gen.writeStringField("markdown", markdown.toString().replace("{", "{{").replace("}", "}}"));
            gen.writeEndObject();
        }
    }
}
