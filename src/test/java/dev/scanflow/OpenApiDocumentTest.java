package dev.scanflow;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document generates good clients: every operation has a unique operationId, a
 * summary, a 2xx response (with a schema where it returns a body) and a 4xx; the error bodies
 * are problem+json; servers are set; the main bodies carry examples. (.ci/run also lints it with
 * Redocly and compiles a generated TypeScript client.)
 */
@QuarkusTest
class OpenApiDocumentTest {

    @Test
    @SuppressWarnings("unchecked")
    void everyOperationHasAnIdASummaryAndItsResponses() {
        JsonPath doc = given().get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        assertEquals("http://127.0.0.1:8080", doc.getString("servers[0].url"));
        Map<String, Map<String, Map<String, Object>>> paths = doc.getMap("paths");
        Set<String> ids = new HashSet<>();
        List<String> problems = new ArrayList<>();
        int operations = 0;
        for (var path : paths.entrySet()) {
            for (var op : path.getValue().entrySet()) {
                if (!List.of("get", "post", "put", "patch", "delete").contains(op.getKey())) {
                    continue;
                }
                operations++;
                String where = op.getKey().toUpperCase() + " " + path.getKey();
                Map<String, Object> o = op.getValue();
                String id = (String) o.get("operationId");
                if (id == null || !ids.add(id)) {
                    problems.add(where + ": operationId " + id);
                }
                if (o.get("summary") == null) {
                    problems.add(where + ": no summary");
                }
                Map<String, Map<String, Object>> responses = (Map<String, Map<String, Object>>) o.get("responses");
                if (responses.keySet().stream().noneMatch(c -> c.startsWith("2"))) {
                    problems.add(where + ": no 2xx");
                }
                if (responses.keySet().stream().noneMatch(c -> c.startsWith("4"))) {
                    problems.add(where + ": no 4xx");
                }
                responses.forEach((code, r) -> {
                    if (code.startsWith("4") && r.get("content") != null
                            && !((Map<String, Object>) r.get("content")).containsKey("application/problem+json")) {
                        problems.add(where + " " + code + ": not problem+json");
                    }
                });
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(operations >= 55, "operations: " + operations);
        String create = doc.prettify();
        assertTrue(create.contains("asset.type == 'web_application' && asset.has_url"), "the template example");
        assertEquals(List.of(Map.of()), doc.getList("paths.'/api/v1/webhooks/{pipelineId}'.post.security"));
    }

    @Test
    void swaggerUiIsServedWhereEnabled() {
        given().get("/q/swagger-ui/").then().statusCode(200);
    }
}
