package dev.scanflow.pipeline;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Api.seedTemplate;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PipelineApiTest {

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    private String create(String yaml) {
        return as(admin).contentType("application/yaml").body(yaml)
                .post("/api/v1/pipelines")
                .then().statusCode(201)
                .extract().path("id");
    }

    @Test
    void seedTemplateRoundTripsThroughYamlAndJson() throws Exception {
        String id = as(admin).contentType("application/yaml").body(seedTemplate("Full Security Scan"))
                .post("/api/v1/pipelines")
                .then().statusCode(201)
                .header("Location", containsString("/api/v1/pipelines/"))
                .body("version", equalTo(1))
                .body("is_active", equalTo(true))
                .body("created_by", equalTo("user-admin"))
                .body("tenant_id", equalTo(tenant.toString())) // the design document's read-only fields, all of them
                .extract().path("id");

        // JSON: normalized triggers, timeouts as text, depends_on always present
        as(admin).get("/api/v1/pipelines/" + id).then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("name", equalTo("Full Security Scan"))
                .body("triggers.type", contains("manual", "schedule", "webhook", "asset_discovery"))
                .body("triggers[1].cron", equalTo("0 2 * * *"))
                .body("triggers[1].timezone", equalTo("UTC"))
                .body("triggers[2].events", contains("push"))
                .body("steps.id", contains("sast", "sca", "secrets", "dast", "infra"))
                .body("steps[0].timeout", equalTo("30m"))
                .body("steps[0].depends_on", empty())
                .body("steps[3].depends_on", contains("sast", "sca", "secrets"))
                .body("steps[3].condition.type", equalTo("expression"))
                .body("steps[3].max_retries", equalTo(1))
                .body("steps[4].condition.value", equalTo("asset.type in ['server', 'network']"))
                .body("steps[4].depends_on", contains("sast"))
                .body("settings.max_parallel_steps", equalTo(3))
                .body("settings.notification.channels", contains("slack", "email"));

        // YAML: the same document
        String yaml = as(admin).accept("application/yaml").get("/api/v1/pipelines/" + id)
                .then().statusCode(200).contentType(containsString("application/yaml"))
                .extract().asString();
        JsonNode fromYaml = new YAMLMapper().readTree(yaml);
        JsonNode fromJson = new ObjectMapper().readTree(as(admin).get("/api/v1/pipelines/" + id).asString());
        assertEquals(fromJson, fromYaml);
    }

    @Test
    void readingBackGivesWhatWasSentAfterNormalization() throws Exception {
        String id = create(seedTemplate("roundtrip"));
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(as(admin).get("/api/v1/pipelines/" + id).asString());
        // send the normalized document back (without server fields): nothing changes but the version
        var doc = (com.fasterxml.jackson.databind.node.ObjectNode) first.deepCopy();
        for (String f : List.of("id", "version", "is_active", "is_system", "created_by", "created_at", "updated_at")) {
            doc.remove(f);
        }
        JsonNode second = json.readTree(as(admin).contentType(ContentType.JSON).body(doc.toString())
                .put("/api/v1/pipelines/" + id).then().statusCode(200).body("version", equalTo(2)).extract().asString());
        for (String f : List.of("name", "description", "tags", "triggers", "steps", "settings")) {
            assertEquals(first.get(f), second.get(f), f);
        }
    }

    @Test
    void editingAStepMakesVersionTwoAndKeepsVersionOne() {
        String id = create(seedTemplate("versioned"));
        as(admin).contentType(ContentType.JSON)
                .body("{\"name\":\"Static Analysis (strict)\",\"tool\":\"semgrep\",\"capabilities\":[\"sast\"],"
                        + "\"timeout\":\"45m\",\"config\":{\"rulesets\":[\"p/ci\"]}}")
                .put("/api/v1/pipelines/" + id + "/steps/sast")
                .then().statusCode(200)
                .body("id", equalTo(id))
                .body("version", equalTo(2))
                .body("steps.find { it.id == 'sast' }.timeout", equalTo("45m"))
                .body("steps.find { it.id == 'sast' }.name", equalTo("Static Analysis (strict)"));

        as(admin).get("/api/v1/pipelines/" + id).then().body("version", equalTo(2));
        as(admin).get("/api/v1/pipelines/" + id + "?version=1").then().statusCode(200)
                .body("version", equalTo(1))
                .body("steps.find { it.id == 'sast' }.timeout", equalTo("30m"));
        as(admin).get("/api/v1/pipelines/" + id + "/versions").then().statusCode(200)
                .body("items.version", contains(2, 1))
                .body("items.is_latest", contains(true, false));
        as(admin).get("/api/v1/pipelines/" + id + "?version=3").then().statusCode(404)
                .contentType("application/problem+json");
        as(admin).get("/api/v1/pipelines/" + id + "?version=zero").then().statusCode(400);
    }

    @Test
    void stepsCanBeAddedReorderedAndDeleted() {
        String id = create(seedTemplate("steps"));
        as(admin).get("/api/v1/pipelines/" + id + "/steps").then().statusCode(200)
                .body("items", hasSize(5));

        as(admin).contentType("application/yaml")
                .body("id: report\ncapabilities: [report]\ndepends_on: [dast, infra]\ncondition:\n  type: step_result\n"
                        + "  step: dast\n  check: \"findings_count > 0\"\n")
                .post("/api/v1/pipelines/" + id + "/steps")
                .then().statusCode(201)
                .body("version", equalTo(2))
                .body("steps.id", contains("sast", "sca", "secrets", "dast", "infra", "report"));

        // adding a step that already exists is a conflict
        as(admin).contentType(ContentType.JSON).body("{\"id\":\"sast\",\"capabilities\":[\"sast\"]}")
                .post("/api/v1/pipelines/" + id + "/steps").then().statusCode(409);

        // a step body with an error: the path is relative to the step sent
        as(admin).contentType(ContentType.JSON).body("{\"id\":\"extra\",\"capabilities\":[],\"depends_on\":[\"nope\"]}")
                .post("/api/v1/pipelines/" + id + "/steps").then().statusCode(422)
                .body("errors.path", contains("$.capabilities", "$.depends_on[0]"));

        // dast is needed by report: refused
        as(admin).delete("/api/v1/pipelines/" + id + "/steps/dast").then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("report"));

        as(admin).contentType(ContentType.JSON)
                .body("{\"order\":[\"infra\",\"secrets\",\"sca\",\"sast\",\"dast\",\"report\"]}")
                .post("/api/v1/pipelines/" + id + "/steps/reorder")
                .then().statusCode(200).body("version", equalTo(3))
                .body("steps.id", contains("infra", "secrets", "sca", "sast", "dast", "report"))
                .body("steps.order", contains(1, 2, 3, 4, 5, 6));

        as(admin).contentType(ContentType.JSON).body("{\"order\":[\"infra\",\"ghost\"]}")
                .post("/api/v1/pipelines/" + id + "/steps/reorder").then().statusCode(422)
                .body("errors.path", org.hamcrest.Matchers.hasItem("$.order[1]"));

        as(admin).delete("/api/v1/pipelines/" + id + "/steps/report").then().statusCode(200)
                .body("version", equalTo(4)).body("steps", hasSize(5));
        as(admin).delete("/api/v1/pipelines/" + id + "/steps/report").then().statusCode(404);
        as(admin).get("/api/v1/pipelines/" + id + "/steps?version=2").then().body("items", hasSize(6));
    }

    @Test
    void deactivateKeepsHistoryReadable() {
        String id = create(seedTemplate("to-retire"));
        as(admin).delete("/api/v1/pipelines/" + id).then().statusCode(204);
        as(admin).delete("/api/v1/pipelines/" + id).then().statusCode(204);
        as(admin).get("/api/v1/pipelines/" + id).then().statusCode(200).body("is_active", equalTo(false));
        as(admin).get("/api/v1/pipelines?active=false&name=to-retire").then()
                .body("items.id", contains(id));
        as(admin).get("/api/v1/pipelines?active=true&name=to-retire").then().body("items", empty());
        as(admin).delete("/api/v1/pipelines/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void cloneCopiesUnderANewName() {
        String id = create(seedTemplate("original"));
        String cloneId = as(admin).contentType(ContentType.JSON).body("{\"name\":\"copy of original\"}")
                .post("/api/v1/pipelines/" + id + "/clone")
                .then().statusCode(201)
                .body("version", equalTo(1))
                .body("name", equalTo("copy of original"))
                .body("steps", hasSize(5))
                .extract().path("id");
        assertNotEquals(id, cloneId);
        as(admin).contentType(ContentType.JSON).body("{\"name\":\"original\"}")
                .post("/api/v1/pipelines/" + id + "/clone").then().statusCode(409);
        as(admin).contentType(ContentType.JSON).body("{\"name\":\"\"}")
                .post("/api/v1/pipelines/" + id + "/clone").then().statusCode(422).body("errors[0].path", equalTo("$.name"));
        as(admin).contentType(ContentType.JSON).body("{\"nme\":\"x\"}")
                .post("/api/v1/pipelines/" + id + "/clone").then().statusCode(422).body("errors[0].path", equalTo("$.nme"));
    }

    @Test
    void namesAreUniquePerTenant() {
        create(seedTemplate("unique-name"));
        as(admin).contentType("application/yaml").body(seedTemplate("Unique-Name"))
                .post("/api/v1/pipelines").then().statusCode(409)
                .contentType("application/problem+json");
        // another tenant may use the same name
        as(TestTokens.admin(UUID.randomUUID())).contentType("application/yaml").body(seedTemplate("unique-name"))
                .post("/api/v1/pipelines").then().statusCode(201);
    }

    @Test
    void listPaginatesWithACursorAndFilters() {
        UUID own = UUID.randomUUID();
        String token = TestTokens.admin(own);
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            String yaml = seedTemplate("page-" + i).replace("tags: [baseline, appsec]",
                    i % 2 == 0 ? "tags: [even]" : "tags: [odd]");
            created.add(as(token).contentType("application/yaml").body(yaml)
                    .post("/api/v1/pipelines").then().statusCode(201).extract().path("id"));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var spec = as(token).queryParam("limit", 3);
            if (cursor != null) {
                spec = spec.queryParam("cursor", cursor);
            }
            var page = spec.get("/api/v1/pipelines").then().statusCode(200).extract();
            seen.addAll(page.path("items.id"));
            cursor = page.path("next_cursor");
            pages++;
        } while (cursor != null);
        assertEquals(3, pages);
        assertEquals(7, seen.size());
        assertEquals(created, new HashSet<>(seen));

        as(token).get("/api/v1/pipelines?tag=even").then().body("items", hasSize(4));
        as(token).get("/api/v1/pipelines?name=PAGE-3").then().body("items", hasSize(1))
                .body("items[0].name", equalTo("page-3"))
                .body("items[0].steps", nullValue());
        as(token).get("/api/v1/pipelines?name=%25").then().body("items", empty());
        as(token).get("/api/v1/pipelines?limit=0").then().statusCode(400).body("errors[0].path", equalTo("limit"));
        as(token).get("/api/v1/pipelines?limit=201").then().statusCode(400);
        as(token).get("/api/v1/pipelines?cursor=garbage").then().statusCode(400).body("errors[0].path", equalTo("cursor"));
        as(token).get("/api/v1/pipelines?active=maybe").then().statusCode(400);
    }

    @Test
    void concurrentEditsNeverProduceTwoLatestVersions() throws Exception {
        String id = create(seedTemplate("contended"));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int n = i;
            results.add(pool.submit(() -> as(admin).contentType(ContentType.JSON)
                    .body("{\"capabilities\":[\"sast\"],\"timeout\":\"" + (n + 1) + "m\"}")
                    .put("/api/v1/pipelines/" + id + "/steps/sast").statusCode()));
        }
        int ok = 0;
        for (var r : results) {
            int status = r.get();
            assertEquals(200, status, "concurrent edits are serialized, not refused");
            ok += status == 200 ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(8, ok);
        List<Integer> versions = as(admin).get("/api/v1/pipelines/" + id + "/versions").path("items.version");
        assertEquals(ok + 1, versions.size(), "one version per successful edit");
        assertEquals(ok + 1, versions.get(0));
        List<Boolean> latest = as(admin).get("/api/v1/pipelines/" + id + "/versions").path("items.is_latest");
        assertEquals(1, latest.stream().filter(b -> b).count());
        assertNotNull(as(admin).get("/api/v1/pipelines/" + id).path("id"));
    }
}
