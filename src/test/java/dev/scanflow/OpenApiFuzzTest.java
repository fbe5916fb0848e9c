package dev.scanflow;

import static dev.scanflow.support.Api.as;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflow.support.Api;
import dev.scanflow.support.Runs;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Reads the service's own OpenAPI document and sends every operation mutated requests: wrong
 * types, NUL and control characters, huge and negative numbers, extreme dates, tampered cursors,
 * deep nesting, wrong content types, real and foreign ids. No answer may be a 5xx.
 */
@QuarkusTest
class OpenApiFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TEXT = List.of("abc", "-1", "0", "99999999999999999999", "1e309", "\u0000",
            "a\u0000b", "\u0007\u001b[31m", "+294277-01-01T00:00:00Z", "-290000-01-01T00:00:00Z",
            "2026-13-45T99:99:99Z", "!!!!", "QUJDRA", "MTIzOmJhZA", "true", "", "x".repeat(5_000), "%", "../../etc/passwd",
            "' OR '1'='1", "\uD83D\uDE00", "\u202Eevil");
    private static final List<Object> VALUES = List.of(123, -1, 0, Long.MAX_VALUE, 1e308, "x", "\u0000", "a\u0000b",
            true, List.of(), Map.of(), "x".repeat(100_000), List.of("\u0000"), Map.of("k\u0000", 1));

    private final UUID tenant = Api.newTenant();
    private final String token = TestTokens.token(tenant, "admin", "operator", "platform-admin");
    private final List<String> failures = new ArrayList<>();
    private int requests;

    @Test
    void noMutatedRequestGetsA5xx() throws Exception {
        JsonNode spec = JSON.readTree(given().get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        Map<String, List<String>> ids = realIds();
        for (Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").fields(); paths.hasNext(); ) {
            var path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                var op = ops.next();
                String method = op.getKey().toUpperCase();
                if (!List.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
                    continue;
                }
                fuzz(spec, path.getKey(), method, op.getValue(), ids);
            }
        }
        assertTrue(requests > 1_000, "only " + requests + " requests were sent");
        assertEquals(List.of(), failures, failures.size() + " of " + requests + " requests got a 5xx");
    }

    /** Ids that exist (so that requests get past "not found"), per kind of path parameter. */
    private Map<String, List<String>> realIds() {
        String pipeline = Runs.template(token, Api.seedTemplate("fuzz-" + UUID.randomUUID()));
        String asset = Runs.asset(token, "web_application", "fuzz-" + UUID.randomUUID(), "https://fuzz.example.com");
        String worker = "w-fuzz-" + UUID.randomUUID().toString().substring(0, 8);
        as(token).contentType("application/json").body(Map.of("worker_id", worker, "capabilities", List.of("fuzz")))
                .post("/api/v1/workers").then().statusCode(201);
        Map<String, List<String>> ids = new LinkedHashMap<>();
        ids.put("pipeline", List.of(pipeline));
        ids.put("asset", List.of(asset));
        ids.put("worker", List.of(worker));
        ids.put("step", List.of("sast", "dast"));
        return ids;
    }

    private void fuzz(JsonNode spec, String template, String method, JsonNode op, Map<String, List<String>> ids) {
        List<String> params = new ArrayList<>();
        for (JsonNode p : op.path("parameters")) {
            if ("query".equals(p.path("in").asText())) {
                params.add(p.path("name").asText());
            }
        }
        boolean streams = template.endsWith("/events");
        // path parameters: real ids (never for the endless event stream), foreign ids, garbage
        List<String> pathValues = new ArrayList<>();
        if (!streams) {
            ids.values().forEach(pathValues::addAll);
        }
        pathValues.add(UUID.randomUUID().toString());
        pathValues.addAll(TEXT.subList(0, 14));
        for (String value : pathValues) {
            send(method, fill(template, value, ids), Map.of(), null, null);
        }
        String base = fill(template, null, ids);
        if (streams) {
            return;
        }
        for (String param : params) {
            for (String value : TEXT) {
                send(method, base, Map.of(param, value), null, null);
            }
        }
        send(method, base, Map.of("unknown_param", "x"), null, null);
        if (op.has("requestBody")) {
            for (String body : bodies(spec, op)) {
                for (String type : List.of("application/json", "application/yaml")) {
                    send(method, base, Map.of(), body, type);
                }
            }
            for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded")) {
                send(method, base, Map.of(), "{\"name\":\"x\"}", type);
            }
            send(method, base, Map.of(), "", "application/json");
            send(method, base, Map.of(), "\u0000", "application/json");
            send(method, base, Map.of(), "name: [unclosed\n", "application/yaml");
        }
    }

    /** The path with its parameters: all real ones (value null) or this value for each. */
    private static String fill(String template, String value, Map<String, List<String>> ids) {
        String out = template;
        for (String kind : List.of("id", "stepId")) {
            String real = kind.equals("stepId") ? "sast"
                    : template.contains("/workers") ? ids.get("worker").get(0)
                    : template.contains("/assets") ? ids.get("asset").get(0)
                    : ids.get("pipeline").get(0);
            out = out.replace("{" + kind + "}", value == null ? real : value);
        }
        return out;
    }

    /** Request bodies: the schema's fields with wrong values, deep nesting, and other shapes. */
    private static List<String> bodies(JsonNode spec, JsonNode op) {
        List<String> out = new ArrayList<>(List.of("{}", "[]", "null", "\"text\"", "123", "{\"name\": \"\u0000\"}",
                "{\"a\": " + "[".repeat(2_000) + "]".repeat(2_000) + "}", "{" + "\"a\":{".repeat(1_000) + "}".repeat(1_001),
                "{\"name\": 1e400}"));
        JsonNode schema = op.at("/requestBody/content/application~1json/schema");
        JsonNode resolved = schema.has("$ref")
                ? spec.at("/components/schemas/" + schema.get("$ref").asText().replace("#/components/schemas/", ""))
                : schema;
        for (Iterator<String> fields = resolved.path("properties").fieldNames(); fields.hasNext(); ) {
            String field = fields.next();
            for (Object value : VALUES) {
                ObjectNode body = JSON.createObjectNode();
                body.set(field, JSON.valueToTree(value));
                out.add(body.toString());
            }
        }
        return out;
    }

    private void send(String method, String path, Map<String, String> query, String body, String type) {
        requests++;
        RequestSpecification request = as(token).config(RestAssuredConfig.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.socket.timeout", 10_000)).encoderConfig(io.restassured.config.EncoderConfig.encoderConfig()
                .encodeContentTypeAs("application/yaml", io.restassured.http.ContentType.TEXT)
                .encodeContentTypeAs("application/x-www-form-urlencoded", io.restassured.http.ContentType.TEXT)))
                .urlEncodingEnabled(true);
        query.forEach(request::queryParam);
        if (type != null) {
            request.contentType(type);
        }
        if (body != null) {
            request.body(body);
        }
        try {
            Response r = request.request(method, path);
            if (r.statusCode() >= 500) {
                failures.add(method + " " + path + " " + query + " " + (type == null ? "" : type + " ")
                        + (body == null ? "" : abbreviate(body)) + " -> " + r.statusCode() + " " + abbreviate(r.asString()));
            }
        } catch (IllegalArgumentException e) {
            requests--; // the client cannot build such a URL: nothing was sent
        } catch (RuntimeException e) {
            failures.add(method + " " + path + " " + query + " -> " + e);
        }
    }

    private static String abbreviate(String s) {
        String one = s.replace('\u0000', '0').replaceAll("\\s+", " ");
        return one.length() > 160 ? one.substring(0, 160) + "..." : one;
    }
}
