package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.Finding.Location;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * API discovery: an OpenAPI 3 or Swagger 2 description (JSON or YAML), as fetched from the
 * API. The output is what later steps test: {@code endpoint_count}, the {@code operations}
 * ({@code "GET /users/{id}"}), {@code paths}, {@code servers} and security schemes. Findings are
 * what the description itself shows: no authentication scheme at all (medium), a plain-HTTP
 * server (medium), and each operation that requires no authentication (low); each a {@code web}
 * record: rule {@code no-security-scheme} on the first server (CWE-306),
 * {@code plain-http-server} on that server (CWE-319), {@code unauthenticated-operation} on the
 * operation's method and URL (the first server's, then the path; CWE-306).
 */
public final class OpenApiParser implements ResultParser {

    static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    static final int LISTED = 500;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new YAMLMapper();

    private final String tool;

    public OpenApiParser() {
        this(null);
    }

    /** @param tool the findings' tool (null: openapi) */
    public OpenApiParser(String tool) {
        this.tool = tool == null ? "openapi" : tool;
    }

    @Override
    public ScanReport parse(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException notJson) {
            try {
                root = YAML.readTree(bytes);
            } catch (IOException notYaml) {
                throw new IOException("not an OpenAPI description: neither JSON nor YAML", notYaml);
            }
        }
        if (root == null || !(root.has("openapi") || root.has("swagger")) || !root.path("paths").isObject()) {
            throw new IOException("not an OpenAPI description: no openapi/swagger version or no paths");
        }
        boolean swagger2 = root.has("swagger");
        JsonNode schemes = swagger2 ? root.path("securityDefinitions") : root.path("components").path("securitySchemes");
        JsonNode globalSecurity = root.path("security");
        List<String> operations = new ArrayList<>();
        List<String> unauthenticated = new ArrayList<>();
        List<Operation> unauthenticatedOps = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.path("paths").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> path = it.next();
            paths.add(path.getKey());
            Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields();
            while (ops.hasNext()) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (!METHODS.contains(op.getKey())) {
                    continue;
                }
                String name = op.getKey().toUpperCase() + " " + path.getKey();
                operations.add(name);
                JsonNode security = op.getValue().has("security") ? op.getValue().get("security") : globalSecurity;
                if (!requiresAuthentication(security)) {
                    unauthenticated.add(name);
                    unauthenticatedOps.add(new Operation(op.getKey().toUpperCase(), path.getKey(), op.getValue()));
                }
            }
        }
        List<String> servers = servers(root, swagger2);
        Severities severities = new Severities();
        List<Map<String, Object>> findings = new ArrayList<>();
        List<Finding> records = new ArrayList<>();
        String base = servers.isEmpty() ? "" : servers.get(0);
        if (!schemes.isObject() || schemes.isEmpty()) {
            finding(findings, records, severities, "medium", "no-security-scheme", "the API declares no authentication scheme",
                    Location.web(base.isEmpty() ? null : base, null, null), "CWE-306", root.path("info"));
        }
        for (String server : servers) {
            if (server.startsWith("http://")) {
                finding(findings, records, severities, "medium", "plain-http-server", "server " + server + " is not HTTPS",
                        Location.web(server, null, null), "CWE-319", Map.of("url", server));
            }
        }
        for (Operation op : unauthenticatedOps) {
            finding(findings, records, severities, "low", "unauthenticated-operation",
                    op.method() + " " + op.path() + " requires no authentication",
                    Location.web(join(base, op.path()), op.method(), null), "CWE-306", op.description());
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("title", root.path("info").path("title").asText(null));
        output.put("api_version", root.path("info").path("version").asText(null));
        output.put("spec_version", swagger2 ? root.path("swagger").asText() : root.path("openapi").asText());
        output.put("endpoint_count", operations.size());
        output.put("operations", limit(operations));
        output.put("paths", limit(paths));
        output.put("servers", servers);
        List<String> schemeNames = new ArrayList<>();
        schemes.fieldNames().forEachRemaining(schemeNames::add);
        output.put("security_schemes", schemeNames);
        output.put("unauthenticated_operations", limit(unauthenticated));
        output.put("findings", findings.size() > LISTED ? findings.subList(0, LISTED) : findings);
        return new ScanReport(records.size(), severities.counts(), output, records);
    }

    private static String join(String server, String path) {
        return server.endsWith("/") && path.startsWith("/") ? server + path.substring(1) : server + path;
    }

    /** No requirement, or an empty one ({@code {}}) among the alternatives, lets anyone call it. */
    private static boolean requiresAuthentication(JsonNode security) {
        if (!security.isArray() || security.isEmpty()) {
            return false;
        }
        for (JsonNode alternative : security) {
            if (alternative.isObject() && alternative.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static List<String> servers(JsonNode root, boolean swagger2) {
        List<String> servers = new ArrayList<>();
        if (swagger2) {
            if (root.hasNonNull("host")) {
                List<String> schemes = new ArrayList<>();
                root.path("schemes").forEach(s -> schemes.add(s.asText()));
                if (schemes.isEmpty()) {
                    schemes.add("https");
                }
                for (String scheme : schemes) {
                    servers.add(scheme + "://" + root.get("host").asText() + root.path("basePath").asText(""));
                }
            }
        } else {
            root.path("servers").forEach(s -> servers.add(s.path("url").asText()));
        }
        return servers;
    }

    /** An operation of the description: its method, path and its own JSON. */
    private record Operation(String method, String path, JsonNode description) {
    }

    private void finding(List<Map<String, Object>> findings, List<Finding> records, Severities severities,
            String severity, String id, String message, Location where, String cwe, Object raw) {
        severities.add(severity);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("id", id);
        f.put("severity", severity);
        f.put("message", message);
        findings.add(f);
        records.add(Findings.of(tool, id, message, severity, "web", where, List.of(cwe), null, message, Findings.raw(raw)));
    }

    private static List<String> limit(List<String> list) {
        return list.size() > LISTED ? list.subList(0, LISTED) : list;
    }
}
