package dev.scanflow.pipeline;

import static dev.scanflow.support.Api.as;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Declarative use: the same body twice is a no-op; partial step edits keep what they do not name. */
@QuarkusTest
class ApplyTest {

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    private static final String TEMPLATE = """
            id: "pipeline-001"
            tenant_id: "tenant-123"
            name: Applied scan
            steps:
              - id: sast
                name: Static Analysis
                tool: semgrep
                capabilities: [sast]
                config: {rules: ["p/security-audit"], severity_threshold: medium}
                timeout: 30m
              - {id: secrets, tool: gitleaks, capabilities: [secrets], timeout: "600s"}
            """;

    @Test
    void applyingTheSameTemplateTwiceChangesNothing() {
        as(admin).contentType("application/yaml").body(TEMPLATE.replace("Applied scan", "probe")).put("/api/v1/pipelines/apply").then().log().ifValidationFails().statusCode(201);
        String id = as(admin).contentType("application/yaml").body(TEMPLATE).put("/api/v1/pipelines:apply")
                .then().statusCode(201).header("Scanflow-Apply", "created").body("version", equalTo(1))
                .extract().path("id");
        as(admin).contentType("application/yaml").body(TEMPLATE).put("/api/v1/pipelines:apply")
                .then().statusCode(200).header("Scanflow-Apply", "unchanged").body("id", equalTo(id))
                .body("version", equalTo(1));
        // a GET answer applied back is the same template too
        String answer = as(admin).accept("application/yaml").get("/api/v1/pipelines/" + id).then().statusCode(200)
                .extract().asString();
        as(admin).contentType("application/yaml").body(answer).put("/api/v1/pipelines:apply")
                .then().statusCode(200).header("Scanflow-Apply", "unchanged").body("version", equalTo(1));
        as(admin).contentType("application/yaml").body(TEMPLATE.replace("timeout: 30m", "timeout: 45m"))
                .put("/api/v1/pipelines:apply")
                .then().statusCode(200).header("Scanflow-Apply", "updated").body("id", equalTo(id))
                .body("version", equalTo(2)).body("steps[0].timeout", equalTo("45m"));
        as(admin).contentType("application/yaml").body("name: Applied scan\nsteps: []").put("/api/v1/pipelines:apply")
                .then().statusCode(422);
        as(admin).get("/api/v1/pipelines/" + id + "/versions").then().body("items.version", contains(2, 1));
        // the collection itself is untouched by the :apply path
        as(admin).get("/api/v1/pipelines?name=Applied").then().statusCode(200).body("items.id", contains(id));
    }

    @Test
    void assetsApplyByTypeAndName() {
        String body = "{\"type\":\"web_application\",\"name\":\"shop\",\"url\":\"https://shop.example.com\",\"tags\":[\"prod\"]}";
        String id = as(admin).contentType("application/json").body(body).put("/api/v1/assets:apply")
                .then().statusCode(201).header("Scanflow-Apply", "created").extract().path("id");
        as(admin).contentType("application/json").body(body).put("/api/v1/assets:apply")
                .then().statusCode(200).header("Scanflow-Apply", "unchanged").body("id", equalTo(id));
        as(admin).contentType("application/json").body(body.replace("prod", "staging")).put("/api/v1/assets:apply")
                .then().statusCode(200).header("Scanflow-Apply", "updated").body("id", equalTo(id))
                .body("tags", contains("staging"));
        as(admin).contentType("application/json").body("{\"type\":\"spaceship\",\"name\":\"x\"}").put("/api/v1/assets:apply")
                .then().statusCode(422);
        as(TestTokens.token(tenant, "viewer")).contentType("application/json").body(body).put("/api/v1/assets:apply")
                .then().statusCode(403);
    }

    @Test
    void patchingAStepKeepsWhatThePatchDoesNotName() {
        String id = as(admin).contentType("application/yaml").body(TEMPLATE.replace("Applied scan", "patched-" + UUID.randomUUID()))
                .put("/api/v1/pipelines:apply").then().statusCode(201).extract().path("id");
        as(admin).contentType("application/merge-patch+json")
                .body("{\"timeout\": \"45m\", \"config\": {\"severity_threshold\": null, \"rules\": [\"p/ci\"]}}")
                .patch("/api/v1/pipelines/" + id + "/steps/sast")
                .then().statusCode(200)
                .body("version", equalTo(2))
                .body("steps[0].name", equalTo("Static Analysis"))
                .body("steps[0].tool", equalTo("semgrep"))
                .body("steps[0].timeout", equalTo("45m"))
                .body("steps[0].config.rules", contains("p/ci"))
                .body("steps[0].config.severity_threshold", nullValue());
        as(admin).contentType("application/json").body("{\"capabilities\": []}")
                .patch("/api/v1/pipelines/" + id + "/steps/sast")
                .then().statusCode(422).body("errors[0].path", equalTo("$.capabilities"));
        as(admin).contentType("application/json").body("{\"id\": \"other\"}")
                .patch("/api/v1/pipelines/" + id + "/steps/sast").then().statusCode(422);
        as(admin).contentType("application/json").body("{\"timeout\": \"1m\"}")
                .patch("/api/v1/pipelines/" + id + "/steps/nope").then().statusCode(404);
        assertEquals(2, (int) as(admin).get("/api/v1/pipelines/" + id).jsonPath().getInt("version"));
    }
}
