package dev.scanflow.auth;

import static dev.scanflow.support.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.jwt.build.Jwt;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AuthAndTenancyTest {

    @Test
    void noTokenIs401Problem() {
        given().get("/api/v1/pipelines").then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer"));
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/assets").then().statusCode(401);
    }

    @Test
    void tokenSignedByAnotherKeyIs401() throws Exception {
        var keys = KeyPairGenerator.getInstance("RSA");
        keys.initialize(2048);
        String forged = Jwt.issuer(TestTokens.ISSUER).subject("mallory").groups(Set.of("admin"))
                .claim("tenant_id", UUID.randomUUID().toString()).sign(keys.generateKeyPair().getPrivate());
        as(forged).get("/api/v1/pipelines").then().statusCode(401);
    }

    @Test
    void expiredTokenIs401() {
        String expired = Jwt.issuer(TestTokens.ISSUER).subject("late").groups(Set.of("admin"))
                .claim("tenant_id", UUID.randomUUID().toString())
                .issuedAt(Instant.now().minusSeconds(7200)).expiresAt(Instant.now().minusSeconds(3600))
                .sign(TestTokens.devKey());
        as(expired).get("/api/v1/pipelines").then().statusCode(401);
    }

    @Test
    void wrongIssuerIs401() {
        String other = Jwt.issuer("someone-else").subject("x").groups(Set.of("admin"))
                .claim("tenant_id", UUID.randomUUID().toString()).sign(TestTokens.devKey());
        as(other).get("/api/v1/pipelines").then().statusCode(401);
    }

    @Test
    void tokenWithoutUuidTenantIs401() {
        String none = Jwt.issuer(TestTokens.ISSUER).subject("x").groups(Set.of("admin")).sign(TestTokens.devKey());
        as(none).get("/api/v1/pipelines").then().statusCode(401).contentType("application/problem+json");
        String notUuid = Jwt.issuer(TestTokens.ISSUER).subject("x").groups(Set.of("admin"))
                .claim("tenant_id", "acme").sign(TestTokens.devKey());
        as(notUuid).get("/api/v1/pipelines").then().statusCode(401);
    }

    @Test
    void aTenantIdThatIsNotACanonicalUuidIs401() {
        // java.util.UUID.fromString would read each of these as some UUID
        for (String tenant : List.of("1-1-1-1-1", "0-0-0-0-0", " " + UUID.randomUUID(), UUID.randomUUID() + "0",
                "{" + UUID.randomUUID() + "}", "0000000000000000000000000000000000000")) {
            String token = Jwt.issuer(TestTokens.ISSUER).subject("x").groups(Set.of("admin"))
                    .claim("tenant_id", tenant).sign(TestTokens.devKey());
            as(token).get("/api/v1/pipelines").then().statusCode(401).contentType("application/problem+json")
                    .body("status", equalTo(401));
        }
        // upper-case hex is still the canonical form
        String upper = Jwt.issuer(TestTokens.ISSUER).subject("x").groups(Set.of("admin"))
                .claim("tenant_id", UUID.randomUUID().toString().toUpperCase()).sign(TestTokens.devKey());
        as(upper).get("/api/v1/pipelines").then().statusCode(200);
    }

    @Test
    void aTokenIssuedInTheFutureIs401() {
        Instant later = Instant.now().plus(365, java.time.temporal.ChronoUnit.DAYS);
        String future = Jwt.issuer(TestTokens.ISSUER).subject("early").groups(Set.of("admin"))
                .claim("tenant_id", UUID.randomUUID().toString())
                .issuedAt(later).expiresAt(later.plusSeconds(300)).sign(TestTokens.devKey());
        as(future).get("/api/v1/pipelines").then().statusCode(401).contentType("application/problem+json")
                .body("status", equalTo(401)).header("WWW-Authenticate", containsString("Bearer"));
        as(future).contentType(ContentType.JSON).body("{}").post("/api/v1/assets").then().statusCode(401);
        // an issuer whose clock is a little ahead is within the allowed skew
        String skewed = Jwt.issuer(TestTokens.ISSUER).subject("skewed").groups(Set.of("admin"))
                .claim("tenant_id", UUID.randomUUID().toString())
                .issuedAt(Instant.now().plusSeconds(20)).expiresAt(Instant.now().plusSeconds(320)).sign(TestTokens.devKey());
        as(skewed).get("/api/v1/pipelines").then().statusCode(200);
    }

    @Test
    void garbageTokenIs401() {
        as("not.a.jwt").get("/api/v1/pipelines").then().statusCode(401);
    }

    @Test
    void rolesAreEnforced() {
        UUID tenant = Api.newTenant();
        String viewer = TestTokens.token(tenant, "viewer");
        String operator = TestTokens.token(tenant, "operator");
        String nobody = TestTokens.token(tenant, "auditor");
        String yaml = Api.seedTemplate("roles");
        as(viewer).contentType("application/yaml").body(yaml).post("/api/v1/pipelines").then().statusCode(403)
                .contentType("application/problem+json");
        as(operator).contentType("application/yaml").body(yaml).post("/api/v1/pipelines").then().statusCode(403);
        as(nobody).get("/api/v1/pipelines").then().statusCode(403);
        String id = as(TestTokens.admin(tenant)).contentType("application/yaml").body(yaml)
                .post("/api/v1/pipelines").then().statusCode(201).extract().path("id");
        as(viewer).get("/api/v1/pipelines/" + id).then().statusCode(200);
        as(operator).get("/api/v1/pipelines/" + id).then().statusCode(200);
        as(viewer).delete("/api/v1/pipelines/" + id).then().statusCode(403);
        as(viewer).contentType(ContentType.JSON).body("{\"type\":\"domain\",\"name\":\"x.example\"}")
                .post("/api/v1/assets").then().statusCode(403);
    }

    @Test
    void aSecondTenantSeesNothingOfTheFirst() {
        UUID first = Api.newTenant();
        UUID second = Api.newTenant();
        String a = TestTokens.admin(first);
        String b = TestTokens.admin(second);
        String pipeline = as(a).contentType("application/yaml").body(Api.seedTemplate("private"))
                .post("/api/v1/pipelines").then().statusCode(201).extract().path("id");
        String asset = as(a).contentType(ContentType.JSON)
                .body("{\"type\":\"web_application\",\"name\":\"shop\",\"url\":\"https://shop.example.com\"}")
                .post("/api/v1/assets").then().statusCode(201).extract().path("id");

        as(b).get("/api/v1/pipelines").then().statusCode(200).body("items", empty());
        as(b).get("/api/v1/assets").then().statusCode(200).body("items", empty());
        for (String path : new String[] {"/api/v1/pipelines/" + pipeline, "/api/v1/pipelines/" + pipeline + "/steps",
                "/api/v1/pipelines/" + pipeline + "/versions", "/api/v1/pipelines/" + pipeline + "?version=1",
                "/api/v1/assets/" + asset}) {
            as(b).get(path).then().statusCode(404).contentType("application/problem+json");
        }
        as(b).contentType("application/yaml").body(Api.seedTemplate("stolen")).put("/api/v1/pipelines/" + pipeline)
                .then().statusCode(404);
        as(b).contentType(ContentType.JSON).body("{\"capabilities\":[\"x\"]}")
                .put("/api/v1/pipelines/" + pipeline + "/steps/sast").then().statusCode(404);
        as(b).delete("/api/v1/pipelines/" + pipeline + "/steps/infra").then().statusCode(404);
        as(b).contentType(ContentType.JSON).body("{\"name\":\"mine now\"}")
                .post("/api/v1/pipelines/" + pipeline + "/clone").then().statusCode(404);
        as(b).delete("/api/v1/pipelines/" + pipeline).then().statusCode(404);
        as(b).delete("/api/v1/assets/" + asset).then().statusCode(404);
        as(b).contentType(ContentType.JSON).body("{\"type\":\"domain\",\"name\":\"x\"}")
                .put("/api/v1/assets/" + asset).then().statusCode(404);

        // the first tenant's data is intact
        as(a).get("/api/v1/pipelines/" + pipeline).then().statusCode(200).body("version", equalTo(1))
                .body("is_active", equalTo(true));
        as(a).get("/api/v1/assets").then().body("items", hasSize(1));
    }

    @Test
    void theTenantComesFromTheTokenNeverFromTheBody() {
        UUID tenant = Api.newTenant();
        as(TestTokens.admin(tenant)).contentType(ContentType.JSON)
                .body("{\"tenant_id\":\"" + UUID.randomUUID() + "\",\"type\":\"domain\",\"name\":\"x.example\"}")
                .post("/api/v1/assets").then().statusCode(422)
                .body("errors[0].path", equalTo("$.tenant_id"))
                .body("errors[0].message", containsString("set by the server"));
    }
}
