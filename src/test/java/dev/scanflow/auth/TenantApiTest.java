package dev.scanflow.auth;

import static dev.scanflow.support.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.scanflow.domain.TenantShares;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The tenants API against the real service and database: who reads and who sets a tenant's
 * weight and run limit, every error at once, and the engine's {@link TenantShares} bean seeing a
 * write at once on this replica and another replica's write within the refresh.
 */
@QuarkusTest
class TenantApiTest {

    private final UUID tenant = Api.newTenant();
    private final UUID other = Api.newTenant();
    private final String platform = TestTokens.withEmail(UUID.randomUUID(), "ops@example.com", "platform-admin");
    private final String admin = TestTokens.admin(tenant);
    private final String viewer = TestTokens.token(tenant, "viewer");

    @Inject
    TenantShares shares;
    @Inject
    Pool pool;

    /** A tenant row exists once the tenant wrote something: here, a scan policy it then removes. */
    private void exists(UUID id) {
        String token = TestTokens.admin(id);
        as(token).contentType(ContentType.JSON).body("{}").put("/api/v1/scan-policy").then().statusCode(201);
        as(token).delete("/api/v1/scan-policy").then().statusCode(204);
    }

    @Test
    void aPlatformAdminSetsTheShareAndTheTenantReadsIt() {
        // before anything is set: the defaults, for the tenant itself even before it has a row
        as(viewer).get("/api/v1/tenants/" + tenant).then().statusCode(200).body("id", equalTo(tenant.toString()))
                .body("weight", equalTo(1)).body("max_concurrent_runs", nullValue()).body("updated_by", nullValue());
        as(platform).get("/api/v1/tenants/" + tenant).then().statusCode(404).contentType("application/problem+json");
        exists(tenant);
        as(platform).get("/api/v1/tenants/" + tenant).then().statusCode(200).body("weight", equalTo(1));

        // only a platform-admin sets it
        as(admin).contentType(ContentType.JSON).body("{\"weight\": 5}").put("/api/v1/tenants/" + tenant + "/share").then()
                .statusCode(403).contentType("application/problem+json");
        JsonPath set = as(platform).contentType(ContentType.JSON).body("{\"weight\": 5, \"max_concurrent_runs\": 20}")
                .put("/api/v1/tenants/" + tenant + "/share").then().statusCode(200).extract().jsonPath();
        assertEquals(tenant.toString(), set.getString("id"));
        assertEquals(5, set.getInt("weight"));
        assertEquals(20, set.getInt("max_concurrent_runs"));
        assertEquals("ops@example.com", set.getString("updated_by"));
        Instant.parse(set.getString("updated_at"));
        // the engine's port sees it at once on this replica
        assertEquals(5, shares.weight(tenant));
        assertEquals(20, shares.maxConcurrentRuns(tenant));

        // every role of the tenant reads its own tenant; what it reads can be written back (YAML too)
        String read = as(viewer).get("/api/v1/tenants/" + tenant).then().statusCode(200).body("weight", equalTo(5))
                .body("updated_at", notNullValue()).extract().asString();
        as(platform).contentType(ContentType.JSON).body(read).put("/api/v1/tenants/" + tenant + "/share").then()
                .statusCode(200).body("weight", equalTo(5)).body("max_concurrent_runs", equalTo(20));
        // a PUT is the whole share: what is left out is the default
        as(platform).contentType("application/yaml").body("max_concurrent_runs: 3\n")
                .put("/api/v1/tenants/" + tenant + "/share").then().statusCode(200).body("weight", equalTo(1))
                .body("max_concurrent_runs", equalTo(3));
        assertEquals(1, shares.weight(tenant));
        assertEquals(3, shares.maxConcurrentRuns(tenant));
        as(platform).contentType(ContentType.JSON).body("{\"max_concurrent_runs\": null}")
                .put("/api/v1/tenants/" + tenant + "/share").then().statusCode(200).body("max_concurrent_runs", nullValue());
        assertNull(shares.maxConcurrentRuns(tenant));
    }

    @Test
    void anotherTenantIsNotFoundAndAnUnknownOneCannotBeSet() {
        exists(other);
        as(admin).get("/api/v1/tenants/" + other).then().statusCode(404).contentType("application/problem+json");
        as(viewer).get("/api/v1/tenants/" + other).then().statusCode(404);
        as(admin).get("/api/v1/tenants/not-a-uuid").then().statusCode(404);
        UUID nobody = UUID.randomUUID();
        as(platform).contentType(ContentType.JSON).body("{\"weight\": 2}").put("/api/v1/tenants/" + nobody + "/share")
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("tenant " + nobody + " was not found"));
        as(platform).get("/api/v1/tenants/" + nobody).then().statusCode(404);
        assertEquals(1, shares.weight(nobody), "an unknown tenant: weight 1");
        assertNull(shares.maxConcurrentRuns(nobody), "an unknown tenant: no limit");
    }

    @Test
    void everyErrorOfAShareIsInOneAnswerWithItsPath() {
        exists(other);
        String body = """
                {"id": "%s", "weight": 0, "max_concurrent_runs": 100001, "priority": "high"}""".formatted(tenant);
        JsonPath problem = as(platform).contentType(ContentType.JSON).body(body).put("/api/v1/tenants/" + other + "/share")
                .then().statusCode(422).contentType("application/problem+json").body("detail", equalTo("4 errors; see 'errors'"))
                .extract().jsonPath();
        assertEquals(List.of("$.id", "$.weight", "$.max_concurrent_runs", "$.priority"), problem.getList("errors.path"));
        assertEquals("must be between 1 and 1000", problem.getString("errors[1].message"));
        assertEquals("must be between 1 and 100000", problem.getString("errors[2].message"));
        as(platform).contentType(ContentType.JSON).body("{\"weight\": \"3\", \"max_concurrent_runs\": 1.5}")
                .put("/api/v1/tenants/" + other + "/share").then().statusCode(422)
                .body("errors.path", equalTo(List.of("$.weight", "$.max_concurrent_runs")));
        as(platform).contentType(ContentType.JSON).body("[]").put("/api/v1/tenants/" + other + "/share").then()
                .statusCode(422).body("errors[0].path", equalTo("$"));
        as(platform).get("/api/v1/tenants/" + other).then().statusCode(200).body("weight", equalTo(1));
    }

    @Test
    void anotherReplicasWriteIsSeenWithinTheRefresh() throws Exception {
        exists(other);
        // as another replica would write it: straight into the table, this replica's cache untold
        pool.preparedQuery("UPDATE tenants SET weight = 7, max_concurrent_runs = 4, updated_by = 'elsewhere' WHERE id = $1")
                .execute(Tuple.of(other)).await().atMost(Duration.ofSeconds(10));
        awaitShare(other, 7, 4);
        pool.preparedQuery("UPDATE tenants SET weight = 1, max_concurrent_runs = NULL WHERE id = $1")
                .execute(Tuple.of(other)).await().atMost(Duration.ofSeconds(10));
        awaitShare(other, 1, null);
    }

    /** scanflow.admission.refresh is 1s in tests. */
    private void awaitShare(UUID id, int weight, Integer runs) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((shares.weight(id) != weight || !java.util.Objects.equals(shares.maxConcurrentRuns(id), runs))
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(weight, shares.weight(id));
        assertEquals(runs, shares.maxConcurrentRuns(id));
    }
}
