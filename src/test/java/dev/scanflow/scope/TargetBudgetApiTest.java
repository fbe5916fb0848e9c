package dev.scanflow.scope;

import static dev.scanflow.support.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.scanflow.domain.RunState;
import dev.scanflow.domain.RunStatus;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
import dev.scanflow.domain.TargetBudget;
import dev.scanflow.domain.TargetBudgets;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Target budgets in the scan policy API against the real service and database: written in JSON
 * and YAML, answered normalized, every error at once with its path, and the engine's
 * {@link TargetBudgets} bean answering the tenant's own budget, or the default for
 * active steps.
 */
@QuarkusTest
class TargetBudgetApiTest {

    /** Names of this test run only: the bean answers for every tenant of the shared database. */
    private final String zone = "b" + UUID.randomUUID().toString().substring(0, 8) + ".example.com";
    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.withEmail(tenant, "budgets@example.com", "admin");

    @Inject
    TargetBudgets budgets;

    private static Map<String, Object> asset(String type, String name, String url) {
        Map<String, Object> asset = new HashMap<>();
        asset.put("type", type);
        asset.put("name", name);
        asset.put("url", url);
        return asset;
    }

    private TargetBudget budgetOf(UUID tenant, Map<String, Object> asset, String... capabilities) {
        StepState step = new StepState(UUID.randomUUID(), "probe", "Probe", 1, 0, "nmap", List.of(capabilities), Map.of(),
                60, List.of(), null, null, 30, StepStatus.PENDING, 0, 1);
        RunState run = new RunState(UUID.randomUUID(), tenant, RunStatus.RUNNING, 5, false, null, Instant.now(), asset,
                Map.of(), Map.of(), List.of(step));
        return budgets.of(run, step);
    }

    @Test
    void budgetsAreWrittenInJsonAndYamlAndAnsweredNormalized() {
        String json = """
                {"allowed_targets": ["*.%1$s"],
                 "target_budgets": [
                   {"target": "App.%1$s.", "max_active_steps": 3, "requests_per_second": 50},
                   {"target": "10.20.0.0/16"},
                   {"target": "https://git.%1$s/Acme/WebApp.git", "max_active_steps": 2}]}""".formatted(zone);
        JsonPath written = as(admin).contentType(ContentType.JSON).body(json).put("/api/v1/scan-policy").then()
                .statusCode(201).extract().jsonPath();
        List<Map<String, Object>> expected = List.of(
                budget("app." + zone, 3, 50), budget("10.20.0.0/16", 1, null), budget("git." + zone + "/acme/webapp", 2, null));
        assertEquals(expected, written.getList("target_budgets"));
        assertEquals(expected, as(admin).get("/api/v1/scan-policy").then().statusCode(200).extract().jsonPath()
                .getList("target_budgets"));

        // what GET answers is written back as it is
        String read = as(admin).get("/api/v1/scan-policy").then().extract().asString();
        as(admin).contentType(ContentType.JSON).body(read).put("/api/v1/scan-policy").then().statusCode(200)
                .body("version", equalTo(2)).body("target_budgets.size()", equalTo(3));

        // YAML; a policy without target_budgets has none
        String yaml = """
                target_budgets:
                  - {target: "git@git.%1$s:acme/webapp.git", max_active_steps: 1, requests_per_second: 5}
                  - target: "2001:DB8::/32"
                """.formatted(zone);
        as(admin).contentType("application/yaml").body(yaml).put("/api/v1/scan-policy").then().statusCode(200)
                .body("target_budgets", equalTo(List.of(budget("git." + zone + "/acme/webapp", 1, 5),
                        budget("2001:db8::/32", 1, null))));
        as(admin).contentType(ContentType.JSON).body("{}").put("/api/v1/scan-policy").then().statusCode(200)
                .body("target_budgets", equalTo(List.of()));
        as(admin).delete("/api/v1/scan-policy").then().statusCode(204);
    }

    private static Map<String, Object> budget(String target, int steps, Integer rate) {
        Map<String, Object> b = new HashMap<>();
        b.put("target", target);
        b.put("max_active_steps", steps);
        b.put("requests_per_second", rate);
        return b;
    }

    @Test
    void everyErrorOfTheBudgetsIsInOneAnswerWithItsPath() {
        String body = """
                {"target_budgets": [
                   {"target": "app.%1$s", "max_active_steps": 0},
                   {"target": "*.%1$s", "requests_per_second": 100001},
                   {"target": "APP.%1$s.", "max_active_steps": "2"},
                   {"max_active_steps": 101, "rate": 3},
                   "app.%1$s",
                   {"target": "https://user:s3cret@git.%1$s/acme/webapp"}]}""".formatted(zone);
        JsonPath problem = as(admin).contentType(ContentType.JSON).body(body).put("/api/v1/scan-policy").then()
                .statusCode(422).contentType("application/problem+json").extract().jsonPath();
        assertEquals(List.of("$.target_budgets[0].max_active_steps", "$.target_budgets[1].target",
                "$.target_budgets[1].requests_per_second", "$.target_budgets[2].target",
                "$.target_budgets[2].max_active_steps", "$.target_budgets[3].target", "$.target_budgets[3].max_active_steps",
                "$.target_budgets[3].rate", "$.target_budgets[4]", "$.target_budgets[5].target"),
                problem.getList("errors.path"));
        assertEquals("must be between 1 and 100", problem.getString("errors[0].message"));
        assertEquals("'APP." + zone + ".' is the target of $.target_budgets[0].target (app." + zone
                + "): give each target one budget", problem.getString("errors[3].message"));
        assertEquals("wrong type: expected an integer, got a string", problem.getString("errors[4].message"));
        assertEquals("'https://****@git." + zone + "/acme/webapp': must not carry credentials (user:password@): a "
                + "budget names a target only", problem.getString("errors[9].message"));
        as(admin).get("/api/v1/scan-policy").then().statusCode(404);

        StringBuilder many = new StringBuilder("{\"target_budgets\": [");
        for (int i = 0; i <= ScanPolicyReader.MAX_BUDGETS; i++) {
            many.append(i == 0 ? "" : ",").append("{\"target\": \"h").append(i).append('.').append(zone).append("\"}");
        }
        as(admin).contentType(ContentType.JSON).body(many.append("]}").toString()).put("/api/v1/scan-policy").then()
                .statusCode(422).body("errors[0].path", equalTo("$.target_budgets"))
                .body("errors[0].message", equalTo("at most 1000 entries"));
    }

    @Test
    void theBeanAnswersEachTenantsOwnBudgetAndTheDefaultForActiveSteps() {
        UUID other = Api.newTenant();
        UUID third = Api.newTenant();
        String shared = "shared." + zone;
        as(admin).contentType(ContentType.JSON)
                .body("{\"target_budgets\": [{\"target\": \"" + shared + "\", \"max_active_steps\": 4, "
                        + "\"requests_per_second\": 40}]}")
                .put("/api/v1/scan-policy").then().statusCode(201);
        as(TestTokens.admin(other)).contentType("application/yaml")
                .body("target_budgets: [{target: \"https://" + shared.toUpperCase() + "/\", max_active_steps: 2}]\n")
                .put("/api/v1/scan-policy").then().statusCode(201);

        Map<String, Object> web = asset("web_application", "shop", "https://" + shared + ":8443/login");
        // each tenant its own, for passive steps too; one that declared none gets none for a passive step
        assertEquals(new TargetBudget(shared, 4, 40), budgetOf(tenant, web, "sast"));
        assertEquals(new TargetBudget(shared, 2, null), budgetOf(other, web, "sast"));
        assertNull(budgetOf(third, web, "sast"));

        // no budget declared: the default (scanflow.budgets.*; the test profile's 8 and 100000) for active steps
        Map<String, Object> server = asset("server", "Lone." + zone, null);
        assertEquals(new TargetBudget("lone." + zone, 8, 100_000), budgetOf(third, server, "network"));
        assertNull(budgetOf(third, server, "sast"));
        assertEquals(new TargetBudget(shared, 8, 100_000), budgetOf(third, web, "dast"));

        // removing a policy applies at once on this replica
        as(TestTokens.admin(other)).delete("/api/v1/scan-policy").then().statusCode(204);
        assertNull(budgetOf(other, web, "sast"));
        assertEquals(new TargetBudget(shared, 4, 40), budgetOf(tenant, web, "sast"));
        as(admin).delete("/api/v1/scan-policy").then().statusCode(204);
        assertNull(budgetOf(tenant, web, "sast"));
    }
}
