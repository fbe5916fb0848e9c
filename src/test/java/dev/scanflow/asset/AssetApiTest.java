package dev.scanflow.asset;

import static dev.scanflow.support.Api.as;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AssetApiTest {

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    @Test
    void createReadUpdateDelete() {
        String id = as(admin).contentType(ContentType.JSON)
                .body("{\"type\":\"repository\",\"name\":\"acme/api\",\"url\":\"https://git.example.com/acme/api.git\","
                        + "\"tags\":[\"production\",\"pci\"],\"criticality\":\"high\","
                        + "\"properties\":{\"default_branch\":\"main\",\"languages\":[\"java\"]}}")
                .post("/api/v1/assets")
                .then().statusCode(201)
                .body("id", notNullValue())
                .body("criticality", equalTo("high"))
                .body("properties.default_branch", equalTo("main"))
                .extract().path("id");
        as(admin).get("/api/v1/assets/" + id).then().statusCode(200)
                .body("tags", contains("production", "pci"))
                .body("properties.languages", contains("java"));
        as(admin).contentType("application/yaml")
                .body("type: repository\nname: acme/api\ntags: [staging]\n")
                .put("/api/v1/assets/" + id).then().statusCode(200)
                .body("tags", contains("staging"))
                .body("criticality", equalTo("medium"))
                .body("url", equalTo(null));
        as(admin).delete("/api/v1/assets/" + id).then().statusCode(204);
        as(admin).get("/api/v1/assets/" + id).then().statusCode(404);
    }

    @Test
    void invalidAssetsGetEveryError() {
        as(admin).contentType(ContentType.JSON)
                .body("{\"type\":\"mainframe\",\"name\":\"\",\"url\":\"not a url\",\"criticality\":\"urgent\",\"tags\":[\"ok\",\"bad tag\"]}")
                .post("/api/v1/assets").then().statusCode(422)
                .contentType("application/problem+json")
                .body("errors.path", containsInAnyOrder("$.type", "$.name", "$.url", "$.criticality", "$.tags[1]"));
        as(admin).contentType(ContentType.JSON).body("{\"type\":\"domain\",\"name\":\"x\",\"colour\":\"red\"}")
                .post("/api/v1/assets").then().statusCode(422).body("errors[0].path", equalTo("$.colour"));
        as(admin).contentType(ContentType.JSON).body("{\"type\":\"domain\",\"name\":\"x\",\"tags\":\"prod\"}")
                .post("/api/v1/assets").then().statusCode(422).body("errors[0].path", equalTo("$.tags"));
        as(admin).get("/api/v1/assets").then().body("items", hasSize(0));
    }

    @Test
    void typeAndNameAreUniquePerTenant() {
        String body = "{\"type\":\"domain\",\"name\":\"example.com\"}";
        as(admin).contentType(ContentType.JSON).body(body).post("/api/v1/assets").then().statusCode(201);
        as(admin).contentType(ContentType.JSON).body(body).post("/api/v1/assets").then().statusCode(409);
        as(admin).contentType(ContentType.JSON).body("{\"type\":\"web_application\",\"name\":\"example.com\"}")
                .post("/api/v1/assets").then().statusCode(201);
    }

    @Test
    void listFiltersAndPaginates() {
        UUID own = Api.newTenant();
        String token = TestTokens.admin(own);
        for (int i = 0; i < 5; i++) {
            as(token).contentType(ContentType.JSON)
                    .body("{\"type\":\"" + (i < 3 ? "server" : "domain") + "\",\"name\":\"a" + i + "\",\"tags\":[\""
                            + (i % 2 == 0 ? "even" : "odd") + "\"]}")
                    .post("/api/v1/assets").then().statusCode(201);
        }
        as(token).get("/api/v1/assets?type=server").then().body("items", hasSize(3));
        as(token).get("/api/v1/assets?tag=odd").then().body("items.name", containsInAnyOrder("a1", "a3"));
        var first = as(token).get("/api/v1/assets?limit=2").then().body("items", hasSize(2)).extract();
        String cursor = first.path("next_cursor");
        as(token).queryParam("limit", 2).queryParam("cursor", cursor).get("/api/v1/assets")
                .then().body("items", hasSize(2)).body("next_cursor", notNullValue());
        as(token).get("/api/v1/assets?limit=5").then().body("items", hasSize(5)).body("next_cursor", equalTo(null))
                .body("items.name", hasItems("a0", "a4"));
    }
}
