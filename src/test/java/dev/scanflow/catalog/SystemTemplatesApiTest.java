package dev.scanflow.catalog;

import static dev.scanflow.support.Api.as;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.pipeline.definition.TemplateDefinition;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The catalogue of system templates through the API: listing with coverage, reading, using, and read-only rules. */
@QuarkusTest
class SystemTemplatesApiTest {

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);
    private final String viewer = TestTokens.token(tenant, "viewer");

    @Inject
    SystemTemplateLoader loader;

    @Inject
    SystemTemplatePublisher publisher;

    private static final String FULL = SystemTemplateFiles.pipelineId("full-security-scan").toString();

    @Test
    void theFiveAreLoadedAtStartAndListedForEveryTenant() {
        assertEquals(SystemTemplateFiles.SLUGS.size(), loader.outcomes().size(), loader.outcomes().toString());
        as(viewer).get("/api/v1/pipeline-templates").then().statusCode(200)
                .body("items.slug", hasItems("full-security-scan", "container-security", "api-security",
                        "infrastructure-scan", "continuous-monitoring"))
                .body("items.name", hasItems("Full Security Scan", "Container Security", "API Security",
                        "Infrastructure Scan", "Continuous Monitoring"))
                .body("items.find { it.slug == 'full-security-scan' }.id", equalTo(FULL))
                .body("items.find { it.slug == 'full-security-scan' }.is_template", equalTo(true))
                .body("items.find { it.slug == 'full-security-scan' }.steps.id",
                        containsInAnyOrder("sast", "sca", "secrets", "iac", "dast"));
        // another tenant sees the same catalogue
        as(TestTokens.admin(Api.newTenant())).get("/api/v1/pipeline-templates").then().statusCode(200)
                .body("items.slug", hasItem("api-security"));
        // tags filter: any of the tags given
        List<String> container = as(viewer).get("/api/v1/pipeline-templates?tag=container,nothing-has-this")
                .then().statusCode(200).extract().path("items.slug");
        assertEquals(List.of("container-security"), container);
        as(viewer).get("/api/v1/pipeline-templates?runnable=maybe").then().statusCode(400)
                .body("errors[0].path", equalTo("runnable"));
        // never counted as the tenant's own pipelines
        as(viewer).get("/api/v1/pipelines").then().statusCode(200).body("items.id", not(hasItem(FULL)));
    }

    @Test
    void coverageFollowsTheTenantsOnlineWorkers() throws Exception {
        // no test registers a worker with "container": before this tenant has one, nothing covers it
        JsonPath before = as(admin).get("/api/v1/pipeline-templates?tag=container").then().statusCode(200).extract().jsonPath();
        assertEquals(false, before.getBoolean("items[0].coverage.runnable"));
        assertTrue(before.getList("items[0].coverage.missing_capabilities").contains("container"));
        assertEquals(false, before.getBoolean("items[0].steps.find { it.id == 'container_scan' }.covered"));

        try (TestWorker w = new TestWorker("w-cov-" + UUID.randomUUID().toString().substring(0, 8), tenant,
                List.of("container", "sbom", "sca"), List.of("trivy", "syft"), 2)) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> as(admin)
                    .get("/api/v1/pipeline-templates?tag=container").jsonPath().getBoolean("items[0].coverage.runnable"));
            JsonPath after = as(admin).get("/api/v1/pipeline-templates?tag=container").jsonPath();
            assertEquals(List.of(), after.getList("items[0].coverage.missing_capabilities"));
            assertEquals(3, after.getInt("items[0].coverage.covered_steps"));
            // grype is not among its tools: covered by capability, without the preferred tool
            assertEquals(true, after.getBoolean("items[0].steps.find { it.id == 'sbom_generation' }.preferred_tool_available"));
            assertEquals(false, after.getBoolean("items[0].steps.find { it.id == 'vulnerability_check' }.preferred_tool_available"));
            as(admin).get("/api/v1/pipeline-templates?runnable=true").then().statusCode(200)
                    .body("items.slug", hasItem("container-security"));
            // another tenant's dedicated worker covers nothing for this one
            as(TestTokens.admin(Api.newTenant())).get("/api/v1/pipeline-templates?runnable=false").then()
                    .body("items.slug", hasItem("container-security"));
        }
    }

    @Test
    void aTemplateIsReadByIdOrSlugAsJsonOrYaml() {
        as(viewer).get("/api/v1/pipeline-templates/full-security-scan").then().statusCode(200)
                .body("id", equalTo(FULL))
                .body("is_system", equalTo(true))
                .body("slug", equalTo("full-security-scan"))
                .body("steps.find { it.id == 'dast' }.condition.value",
                        equalTo("asset.type == 'web_application' && asset.has_url"))
                .body("steps.find { it.id == 'dast' }.depends_on", containsInAnyOrder("sast", "sca", "secrets", "iac"));
        String yaml = as(viewer).accept("application/yaml").get("/api/v1/pipeline-templates/" + FULL)
                .then().statusCode(200).contentType(startsWith("application/yaml")).extract().asString();
        assertTrue(yaml.contains("name: Full Security Scan"), yaml);
        as(viewer).get("/api/v1/pipeline-templates/full-security-scan?version=1").then().statusCode(200).body("version", equalTo(1));
        as(viewer).get("/api/v1/pipeline-templates/full-security-scan?version=99").then().statusCode(404);
        as(viewer).get("/api/v1/pipeline-templates/no-such-template").then().statusCode(404)
                .body("detail", containsString("no-such-template"));
        // visible, read-only, through the pipelines API too
        as(viewer).get("/api/v1/pipelines/" + FULL).then().statusCode(200).body("is_system", equalTo(true));
        as(viewer).get("/api/v1/pipelines/" + FULL + "/versions").then().statusCode(200).body("items[0].version", equalTo(1));
    }

    @Test
    void useMakesTheTenantsOwnPipelineWithOverrides() {
        String name = "Appsec " + UUID.randomUUID();
        String id = as(admin).contentType("application/json").body(Map.of(
                        "name", name,
                        "settings", Map.of("max_parallel_steps", 2),
                        "steps", Map.of("sast", Map.of("config", Map.of("rules", List.of("p/ci"))),
                                "dast", Map.of("enabled", false))))
                .post("/api/v1/pipeline-templates/full-security-scan/use")
                .then().statusCode(201)
                .header("Location", containsString("/api/v1/pipelines/"))
                .body("name", equalTo(name))
                .body("is_system", equalTo(false))
                .body("version", equalTo(1))
                .body("steps.id", containsInAnyOrder("sast", "sca", "secrets", "iac"))
                .body("steps.find { it.id == 'sast' }.config.rules", containsInAnyOrder("p/ci"))
                .body("steps.find { it.id == 'sast' }.config.severity_threshold", equalTo("medium"))
                .body("settings.max_parallel_steps", equalTo(2))
                .body("settings.notification.on_failure", equalTo(true))
                .body("derived_from.template_id", equalTo(FULL))
                .body("derived_from.slug", equalTo("full-security-scan"))
                .body("derived_from.version", equalTo(1))
                .body("derived_from.update_available", equalTo(false))
                .extract().path("id");
        // the tenant's own: listed, editable, and the derivation stays with later versions
        as(admin).get("/api/v1/pipelines").then().body("items.find { it.id == '" + id + "' }.derived_from.slug",
                equalTo("full-security-scan"));
        as(admin).contentType("application/json").body(Map.of("name", name + " copy"))
                .post("/api/v1/pipelines/" + id + "/clone").then().statusCode(201);
        as(admin).delete("/api/v1/pipelines/" + id + "/steps/iac").then().statusCode(200)
                .body("version", equalTo(2)).body("derived_from.slug", equalTo("full-security-scan"));

        // without a body: the template's own name; a second time, that name is taken
        String other = TestTokens.admin(Api.newTenant());
        as(other).post("/api/v1/pipeline-templates/continuous-monitoring/use").then().statusCode(201)
                .body("name", equalTo("Continuous Monitoring"))
                .body("triggers.type", hasItems("manual", "webhook", "schedule"));
        as(other).post("/api/v1/pipeline-templates/continuous-monitoring/use").then().statusCode(409)
                .body("detail", containsString("Continuous Monitoring"));
        // only admins create pipelines
        as(viewer).post("/api/v1/pipeline-templates/continuous-monitoring/use").then().statusCode(403);
    }

    @Test
    void badOverridesAreNamedAndNothingIsWritten() {
        String name = "Broken " + UUID.randomUUID();
        as(admin).contentType("application/json").body(Map.of("name", name, "steps", Map.of("nope", Map.of(),
                        "sast", Map.of("enabled", false))))
                .post("/api/v1/pipeline-templates/full-security-scan/use")
                .then().statusCode(422)
                .body("errors.path", hasItems("$.steps.nope", "$.steps.sast.enabled"));
        // the overrides read, but the template they make is invalid: the template's own error paths
        as(admin).contentType("application/json").body(Map.of("name", name, "steps", Map.of("sca",
                        Map.of("timeout", "forever", "capabilities", List.of()))))
                .post("/api/v1/pipeline-templates/full-security-scan/use")
                .then().statusCode(422)
                .body("title", equalTo("The template with your overrides is invalid"))
                .body("errors.path", hasItems("$.steps[1].timeout", "$.steps[1].capabilities"));
        as(admin).contentType("application/json").body("{\"name\": ")
                .post("/api/v1/pipeline-templates/full-security-scan/use").then().statusCode(400);
        as(admin).get("/api/v1/pipelines?name=" + name.substring(0, 20)).then().body("items", org.hamcrest.Matchers.empty());
    }

    @Test
    void systemTemplatesAreReadOnlyWithAMessageThatSaysWhatToDo() {
        String message = "POST /api/v1/pipeline-templates/full-security-scan/use";
        as(admin).contentType("application/yaml").body("name: mine\nsteps: [{id: a, tool: nmap, capabilities: [network]}]")
                .put("/api/v1/pipelines/" + FULL).then().statusCode(403)
                .body("detail", containsString("read-only")).body("detail", containsString(message));
        as(admin).delete("/api/v1/pipelines/" + FULL).then().statusCode(403).body("detail", containsString(message));
        as(admin).delete("/api/v1/pipelines/" + FULL + "/steps/dast").then().statusCode(403);
        as(admin).contentType("application/json").body("{\"asset_id\": \"" + UUID.randomUUID() + "\"}")
                .post("/api/v1/pipelines/" + FULL + "/run").then().statusCode(403).body("detail", containsString(message));
        // an unknown pipeline is still a 404
        as(admin).delete("/api/v1/pipelines/" + UUID.randomUUID()).then().statusCode(404);
        // still version 1, still active
        as(viewer).get("/api/v1/pipeline-templates/full-security-scan").then().body("version", equalTo(1))
                .body("is_active", equalTo(true));
    }

    @Test
    void aChangedFileIsANewVersionOnceAndUsersAreToldAnUpdateExists() throws Throwable {
        String id = as(admin).contentType("application/json").body(Map.of("name", "API " + UUID.randomUUID()))
                .post("/api/v1/pipeline-templates/api-security/use").then().statusCode(201)
                .body("derived_from.update_available", equalTo(false)).extract().path("id");
        int before = as(viewer).get("/api/v1/pipeline-templates/api-security").jsonPath().getInt("version");

        // what the loader does when the shipped file changed: the same file with another description
        TemplateDefinition shipped = SystemTemplateFilesTest.read("api-security");
        TemplateDefinition changed = new TemplateDefinition(shipped.name(), shipped.description() + " (revised)",
                shipped.tags(), shipped.triggers(), shipped.steps(), shipped.settings());
        String hash = "test-" + UUID.randomUUID();
        // two replicas starting together: one new version, the other finds it there
        CompletableFuture<SystemTemplatePublisher.Published> a = CompletableFuture.supplyAsync(() -> publish(hash, changed));
        CompletableFuture<SystemTemplatePublisher.Published> b = CompletableFuture.supplyAsync(() -> publish(hash, changed));
        List<SystemTemplatePublisher.Published> outcomes = List.of(a.get(), b.get());
        assertTrue(outcomes.contains(SystemTemplatePublisher.Published.NEW_VERSION)
                        && outcomes.contains(SystemTemplatePublisher.Published.UNCHANGED),
                outcomes.toString());
        assertEquals(SystemTemplatePublisher.Published.UNCHANGED, publish(hash, changed));

        as(viewer).get("/api/v1/pipeline-templates/api-security").then().body("version", equalTo(before + 1))
                .body("description", containsString("(revised)"));
        as(viewer).get("/api/v1/pipeline-templates/api-security?version=" + before).then().statusCode(200)
                .body("description", not(containsString("(revised)")));
        as(admin).get("/api/v1/pipelines/" + id).then()
                .body("derived_from.version", equalTo(before))
                .body("derived_from.latest_version", equalTo(before + 1))
                .body("derived_from.update_available", equalTo(true));
        as(admin).get("/api/v1/pipelines").then()
                .body("items.find { it.id == '" + id + "' }.derived_from.update_available", equalTo(true));
    }

    private SystemTemplatePublisher.Published publish(String hash, TemplateDefinition d) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> publisher.publishSystem("api-security", hash, d));
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
