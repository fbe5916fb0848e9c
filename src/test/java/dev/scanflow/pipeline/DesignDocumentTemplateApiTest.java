package dev.scanflow.pipeline;

import static dev.scanflow.support.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Templates written as the design document writes them, over HTTP: accepted as written, in YAML
 * and JSON, and answered with the document's field names.
 */
@QuarkusTest
class DesignDocumentTemplateApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    @Test
    void theDocumentsTemplateIsAcceptedAsWrittenAndAnsweredInItsShapes() throws Exception {
        String yaml = Api.fixture("pipelines/valid/full-security-scan.yaml");
        String id = as(admin).contentType("application/yaml").body(yaml).post("/api/v1/pipelines")
                .then().statusCode(201)
                // the document's placeholders are not taken: the server's id, the caller's tenant
                .body("id", not(equalTo("pipeline-fss")))
                .extract().path("id");
        JsonNode answer = JSON.readTree(as(admin).get("/api/v1/pipelines/" + id).then().statusCode(200)
                .extract().asString());
        assertEquals("{\"type\":\"expression\",\"value\":\"asset.type == 'web_application' && asset.has_url\"}",
                answer.at("/steps/3/condition").toString());
        assertEquals("{\"on_completion\":true,\"on_failure\":true,\"channels\":[\"slack\",\"email\"]}",
                answer.at("/settings/notification").toString());
        // the document's short forms, in the long form with Scanflow's defaults filled in
        assertEquals("[{\"type\":\"manual\"},{\"type\":\"schedule\",\"cron\":\"0 2 * * *\",\"timezone\":\"UTC\","
                + "\"catchup\":\"latest\",\"catchup_window\":\"1h\",\"overlap\":\"skip\"},"
                + "{\"type\":\"webhook\",\"overlap\":\"allow\",\"events\":[\"push\"]},{\"type\":\"asset_discovery\"}]",
                answer.get("triggers").toString());
        assertEquals(1, answer.at("/settings/retry_failed_steps").asInt());

        // YAML answers have the same shapes
        String asYaml = as(admin).accept("application/yaml").get("/api/v1/pipelines/" + id).then().statusCode(200)
                .extract().asString();
        JsonNode fromYaml = new YAMLMapper().readTree(asYaml);
        assertEquals(answer.at("/steps/3/condition"), fromYaml.at("/steps/3/condition"));
        assertEquals(answer.at("/settings/notification"), fromYaml.at("/settings/notification"));

        // and an answer can be sent back as it is (read-only fields included): a new version, same content
        as(admin).contentType(ContentType.JSON).body(answer.toString()).put("/api/v1/pipelines/" + id)
                .then().statusCode(200).body("version", equalTo(2))
                .body("steps[3].condition.value", equalTo("asset.type == 'web_application' && asset.has_url"));
    }

    @Test
    void theJsonFormIsAcceptedToo() throws Exception {
        as(admin).contentType(ContentType.JSON).body(Api.fixture("pipelines/valid/full-security-scan.json"))
                .post("/api/v1/pipelines").then().statusCode(201)
                .body("steps[2].condition.type", equalTo("asset_type"))
                .body("steps[2].condition.value", equalTo("server"))
                .body("settings.notification.on_completion", equalTo(true))
                .body("triggers.type", equalTo(java.util.List.of("manual", "schedule", "webhook", "asset_discovery")));
    }

    @Test
    void theSchedulingSectionsLongFormKeepsItsTargets() {
        as(admin).contentType("application/yaml").body(Api.fixture("pipelines/valid/scheduling.yaml"))
                .post("/api/v1/pipelines").then().statusCode(201)
                .body("triggers[0].targets[0].asset_filter", equalTo("tags.contains('production')"))
                .body("triggers[1].targets[0].asset_type", equalTo("repository"))
                .body("triggers[1].targets[0].criticality", equalTo("critical"))
                .body("triggers[1].timezone", equalTo("UTC"));
    }

    @Test
    void anotherTenantsIdInTheBodyIsRefused() {
        String other = UUID.randomUUID().toString();
        as(admin).contentType("application/yaml")
                .body(Api.seedTemplate("other-tenant").replace("tenant_id: \"tenant-placeholder\"", "tenant_id: " + other))
                .post("/api/v1/pipelines").then().statusCode(422)
                .body("errors.path", hasItem("$.tenant_id"))
                .body("errors.message", hasItem(containsString("another tenant")));
        // the caller's own tenant id is fine
        as(admin).contentType("application/yaml")
                .body(Api.seedTemplate("own-tenant").replace("tenant_id: \"tenant-placeholder\"", "tenant_id: " + tenant))
                .post("/api/v1/pipelines").then().statusCode(201);
    }

    @Test
    void aPutWhoseBodyNamesAnotherPipelineIsRefused() {
        String id = as(admin).contentType("application/yaml").body(Api.seedTemplate("put-other-id"))
                .post("/api/v1/pipelines").then().statusCode(201).extract().path("id");
        as(admin).contentType("application/yaml")
                .body(Api.seedTemplate("put-other-id").replace("id: \"pipeline-fss\"", "id: " + UUID.randomUUID()))
                .put("/api/v1/pipelines/" + id).then().statusCode(422).body("errors[0].path", equalTo("$.id"));
        as(admin).get("/api/v1/pipelines/" + id).then().body("version", equalTo(1));
    }

    @Test
    void everyUnknownFieldIsReportedInOneAnswer() {
        as(admin).contentType("application/yaml").body(Api.fixture("pipelines/invalid/unknown-fields-everywhere.yaml"))
                .post("/api/v1/pipelines").then().statusCode(422)
                .body("errors", hasSize(6))
                .body("errors.path", hasItem("$.settings.notification.on_succes"))
                .body("errors.path", hasItem("$.steps[1].condition.valeu"));
    }

    @Test
    void aStepBodyGetsEveryErrorAtOnceWithPathsInTheBody() {
        String id = as(admin).contentType("application/yaml").body(Api.seedTemplate("step-errors"))
                .post("/api/v1/pipelines").then().statusCode(201).extract().path("id");
        as(admin).contentType(ContentType.JSON)
                .body("{\"capabilities\":[],\"timeout\":\"soon\",\"condition\":{\"type\":\"asset_type\",\"value\":\"toaster\"},"
                        + "\"colour\":\"red\"}")
                .put("/api/v1/pipelines/" + id + "/steps/sast").then().statusCode(422)
                .body("errors.path", equalTo(java.util.List.of("$.capabilities", "$.timeout", "$.condition.value", "$.colour")));
    }

    @Test
    void theSchemaIsServedWithoutAToken() throws Exception {
        byte[] served = given().get("/api/v1/schemas/pipeline-template").then().statusCode(200)
                .contentType("application/schema+json").extract().asByteArray();
        assertArrayEquals(Files.readAllBytes(Path.of("docs/schema/pipeline-template.schema.json")), served);
    }

    @Test
    void aRunAnswersWithTheDocumentsRunFields() {
        String pipeline = as(admin).contentType("application/yaml").body(Api.seedTemplate("run-shape"))
                .post("/api/v1/pipelines").then().statusCode(201).extract().path("id");
        String asset = as(admin).contentType(ContentType.JSON)
                .body("{\"type\":\"repository\",\"name\":\"webapp\",\"url\":\"https://github.com/example/webapp\"}")
                .post("/api/v1/assets").then().statusCode(201).extract().path("id");
        String operator = TestTokens.withEmail(tenant, "admin@example.com", "operator");
        as(operator).contentType(ContentType.JSON)
                .body("{\"asset_id\":\"" + asset + "\",\"context\":{\"repository\":\"https://github.com/example/webapp\","
                        + "\"branch\":\"main\",\"commit\":\"abc123\"}}")
                .post("/api/v1/pipelines/" + pipeline + "/run").then().statusCode(201)
                .body("id", not(nullValue()))
                .body("pipeline_id", equalTo(pipeline))
                .body("tenant_id", equalTo(tenant.toString()))
                .body("asset_id", equalTo(asset))
                .body("triggered_by", equalTo("user:admin@example.com"))
                .body("trigger_type", equalTo("manual"))
                .body("status", equalTo("running"))
                .body("started_at", not(nullValue()))
                .body("containsKey('completed_at')", equalTo(true))
                .body("context.branch", equalTo("main"))
                .body("context.commit", equalTo("abc123"))
                .body("context.user", equalTo("admin@example.com"))
                .body("total_steps", equalTo(5))
                .body("containsKey('error_message')", equalTo(true))
                .body("step_runs[0].containsKey('condition_result')", equalTo(true))
                .body("step_runs.find { it.step_id == 'dast' }.status", equalTo("pending"))
                .body("step_runs.find { it.step_id == 'dast' }.condition_result", nullValue());
    }
}
