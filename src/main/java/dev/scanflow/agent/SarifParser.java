package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.Finding.Location;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SARIF 2.1.0, as semgrep, trivy, gitleaks, secretlint, checkov and ESLint write it. Every
 * result is a finding; its severity is the rule's {@code properties.security-severity} (a
 * CVSS-like score) when present, else the result's (or the rule's default) level: error = high,
 * warning = medium, note = low. Its kind is {@code secret} for secret scanners (or a rule about
 * secrets), {@code config} for infrastructure-as-code checks, {@code dependency} for trivy's
 * vulnerabilities, else {@code code}; its snippet is the one the tool quotes, else the lines
 * read from the checkout (never for a secret, which the tool may have masked on purpose). The
 * output lists the rules hit and the files with findings (relative to the checkout when the
 * tool wrote absolute file URIs).
 */
public final class SarifParser implements ResultParser {

    /** Rules about credentials in code (hard-coded passwords, tokens, keys): their lines hold the value. */
    static final java.util.regex.Pattern CREDENTIAL_RULE = java.util.regex.Pattern.compile(
            "secret|password|passwd|credential|api[-_]?key|private[-_]?key|access[-_]?key|token|s2068");
    static final Set<String> SECRET_TOOLS = Set.of("gitleaks", "secretlint", "trufflehog", "detect-secrets", "ggshield",
            "noseyparker");
    static final Set<String> CONFIG_TOOLS = Set.of("checkov", "kics", "tfsec", "terrascan", "hadolint", "kube-linter",
            "kubesec");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TRIVY_PACKAGE = Pattern.compile("(?m)^Package: (.+)$");
    private static final Pattern TRIVY_VERSION = Pattern.compile("(?m)^Installed Version: (.+)$");
    private static final Pattern NUMERIC_ENTITY = Pattern.compile("&#(\\d{1,7});");
    private static final Pattern VULNERABILITY_ID = Pattern.compile("(?i)^(CVE-\\d{4}-\\d+|GHSA(-[a-z0-9]{4}){3})$");

    private final String tool;
    private final String sourcePrefix;
    private final String sourcePath;
    private final Path sourceDir;

    public SarifParser() {
        this(null, null);
    }

    /** @param sourceDir where the scanned checkout was: absolute file URIs under it become relative paths */
    public SarifParser(Path sourceDir) {
        this(null, sourceDir);
    }

    /**
     * @param tool      the tool that wrote the file, as the worker names it (null: each run's driver name)
     * @param sourceDir where the scanned checkout was: absolute file URIs under it become relative
     *                  paths, and snippets the tool did not quote are read from it
     */
    public SarifParser(String tool, Path sourceDir) {
        this.tool = tool;
        this.sourceDir = sourceDir;
        // Path.toUri() ends in '/' only for a directory that exists when it is called; the checkout
        // may be gone by the time its results are read, so the separator is added here.
        this.sourcePrefix = sourceDir == null ? null : withSlash(sourceDir.toAbsolutePath().normalize().toUri().toString());
        this.sourcePath = sourceDir == null ? null : withSlash(sourceDir.toAbsolutePath().normalize().toString());
    }

    @Override
    public ScanReport parse(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (root == null || !root.path("runs").isArray()) {
            throw new IOException("not a SARIF log: no runs");
        }
        SourceSnippets snippets = SourceSnippets.of(sourceDir);
        Severities severities = new Severities();
        Set<String> rulesHit = new LinkedHashSet<>();
        Set<String> files = new LinkedHashSet<>();
        List<String> tools = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        for (JsonNode run : root.path("runs")) {
            String driver = run.path("tool").path("driver").path("name").asText("unknown");
            tools.add(driver);
            Map<String, JsonNode> rules = new HashMap<>();
            List<JsonNode> ruleList = new ArrayList<>();
            run.path("tool").path("driver").path("rules").forEach(ruleList::add);
            run.path("tool").path("extensions").forEach(e -> e.path("rules").forEach(ruleList::add));
            ruleList.forEach(rule -> rules.putIfAbsent(rule.path("id").asText(), rule));
            for (JsonNode result : run.path("results")) {
                String ruleId = Findings.text(result.path("ruleId"));
                if (ruleId == null) {
                    ruleId = Findings.text(result.path("rule").path("id"));
                }
                JsonNode rule = ruleId != null ? rules.get(ruleId) : null;
                if (rule == null && result.path("ruleIndex").canConvertToInt()) {
                    int index = result.path("ruleIndex").asInt();
                    JsonNode driverRules = run.path("tool").path("driver").path("rules");
                    rule = index >= 0 && index < driverRules.size() ? driverRules.get(index) : null;
                    if (ruleId == null && rule != null) {
                        ruleId = Findings.text(rule.path("id"));
                    }
                }
                String severity = severity(result, rule);
                severities.add(severity);
                if (ruleId != null) {
                    rulesHit.add(ruleId);
                }
                for (JsonNode location : result.path("locations")) {
                    String uri = location.path("physicalLocation").path("artifactLocation").path("uri").asText(null);
                    if (uri != null) {
                        files.add(relative(uri));
                    }
                }
                findings.add(finding(tool != null ? tool : driver, driver, ruleId, rule, result, severity, snippets));
            }
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("tools", tools);
        output.put("rules", new ArrayList<>(rulesHit));
        output.put("files", new ArrayList<>(files));
        return new ScanReport(findings.size(), severities.counts(), output, findings);
    }

    private Finding finding(String toolName, String driver, String ruleId, JsonNode rule, JsonNode result,
            String severity, SourceSnippets snippets) {
        JsonNode ruleNode = rule == null ? JSON.missingNode() : rule;
        String message = Findings.text(result.path("message").path("text"));
        if (message == null) {
            message = Findings.text(result.path("message").path("markdown"));
        }
        String kind = kind(toolName, driver, ruleId, ruleNode);
        Location location = null;
        if ("dependency".equals(kind)) {
            location = trivyPackage(message);
            if (location == null) {
                kind = "code"; // a vulnerability without a package to say where is reported where the tool says
            }
        }
        if (location == null) {
            location = codeLocation(result, kind, snippets);
        }
        Findings.References refs = new Findings.References().add(ruleId).add(Findings.text(ruleNode.path("helpUri")))
                .addAll(ruleNode.path("properties")).addAll(result.path("properties"));
        ruleNode.path("relationships").forEach(r -> refs.add(Findings.text(r.path("target").path("id"))));
        return Findings.of(toolName, ruleId == null ? "unknown" : ruleId, title(ruleId, ruleNode, message), severity,
                kind, location, refs.list(), fingerprint(result), message, Findings.raw(result));
    }

    private Location codeLocation(JsonNode result, String kind, SourceSnippets snippets) {
        JsonNode physical = JSON.missingNode();
        for (JsonNode l : result.path("locations")) {
            if (l.has("physicalLocation")) {
                physical = l.path("physicalLocation");
                break;
            }
        }
        String uri = Findings.text(physical.path("artifactLocation").path("uri"));
        String path = uri == null ? null : relative(uri);
        JsonNode region = physical.path("region");
        Integer start = region.path("startLine").canConvertToInt() ? region.path("startLine").asInt() : null;
        Integer end = region.path("endLine").canConvertToInt() ? region.path("endLine").asInt() : start;
        String snippet = Findings.text(region.path("snippet").path("text"));
        if (snippet == null && !"secret".equals(kind) && path != null) {
            snippet = snippets.lines(decoded(path), start, end, 4 * Finding.RAW_LIMIT);
        }
        return Location.code(path, start, end, snippet);
    }

    /** Trivy's vulnerability results name the package only in their message. */
    private static Location trivyPackage(String message) {
        if (message == null) {
            return null;
        }
        Matcher p = TRIVY_PACKAGE.matcher(message);
        if (!p.find()) {
            return null;
        }
        Matcher v = TRIVY_VERSION.matcher(message);
        return Location.dependency(p.group(1).strip(), v.find() ? v.group(1).strip() : null, null);
    }

    static String kind(String toolName, String driver, String ruleId, JsonNode rule) {
        String t = toolName == null ? "" : toolName.toLowerCase(Locale.ROOT);
        String d = driver == null ? "" : driver.toLowerCase(Locale.ROOT);
        String id = ruleId == null ? "" : ruleId.toLowerCase(Locale.ROOT);
        Set<String> tags = new LinkedHashSet<>();
        rule.path("properties").path("tags").forEach(tag -> tags.add(tag.asText().toLowerCase(Locale.ROOT)));
        if (SECRET_TOOLS.contains(t) || SECRET_TOOLS.contains(d) || tags.contains("secret") || tags.contains("secrets")
                || CREDENTIAL_RULE.matcher(id).find()) {
            return "secret";
        }
        if (CONFIG_TOOLS.contains(t) || CONFIG_TOOLS.contains(d) || tags.contains("misconfiguration")
                || tags.contains("iac") || id.startsWith("ckv_")) {
            return "config";
        }
        if (tags.contains("vulnerability") || VULNERABILITY_ID.matcher(id).matches()) {
            return "dependency";
        }
        return "code";
    }

    /** The rule's short description, unless it only repeats the rule's id (secretlint); else the message's first line. */
    private static String title(String ruleId, JsonNode rule, String message) {
        String title = Findings.text(rule.path("shortDescription").path("text"));
        if (title != null && ruleId != null && title.contains(ruleId)) {
            title = null;
        }
        if (title == null) {
            title = Findings.firstLine(message);
        }
        if (title == null) {
            title = ruleId;
        }
        return title == null ? null : unescape(title);
    }

    /** Trivy HTML-escapes quotes and brackets in its descriptions ({@code &#39;}, {@code &lt;}). */
    static String unescape(String s) {
        Matcher m = NUMERIC_ENTITY.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int code = Integer.parseInt(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(Character.isValidCodePoint(code)
                    ? new String(Character.toChars(code)) : m.group()));
        }
        m.appendTail(out);
        return out.toString().replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    /**
     * The tool's stable identity for the result: the first of its {@code fingerprints} in key
     * order, else the first {@code partialFingerprints} whose key names a hash, fingerprint or id
     * (gitleaks' are the commit's author, date and message, which identify no finding).
     */
    static String fingerprint(JsonNode result) {
        String full = firstValue(result.path("fingerprints"), false);
        return full != null ? full : firstValue(result.path("partialFingerprints"), true);
    }

    private static String firstValue(JsonNode map, boolean onlyHashes) {
        TreeMap<String, String> sorted = new TreeMap<>();
        map.fields().forEachRemaining(e -> {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            String value = e.getValue().isValueNode() ? Findings.blankToNull(e.getValue().asText()) : null;
            if (value != null && (!onlyHashes || key.contains("hash") || key.contains("fingerprint") || key.endsWith("id"))) {
                sorted.put(e.getKey(), value);
            }
        });
        return sorted.isEmpty() ? null : sorted.firstEntry().getValue();
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

    /** A relative URI's path as a file name ({@code my%20file.js} is {@code my file.js}). */
    private static String decoded(String relativeUri) {
        if (!relativeUri.contains("%")) {
            return relativeUri;
        }
        try {
            String path = new URI(relativeUri).getPath();
            return path == null ? relativeUri : path;
        } catch (Exception e) {
            return relativeUri;
        }
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
