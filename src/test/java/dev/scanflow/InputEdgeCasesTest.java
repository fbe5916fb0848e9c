package dev.scanflow;

import static dev.scanflow.support.Api.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.scanflow.support.Api;
import dev.scanflow.support.Runs;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The inputs that once got a 500 or a wrong status, one by one, with the answer each gets now. */
@QuarkusTest
class InputEdgeCasesTest {

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    @Test
    void aNulCharacterInAQueryParameterIsA400NamingIt() {
        for (String path : new String[] {"/api/v1/pipelines?name=a%00b", "/api/v1/pipelines?tag=%00",
                "/api/v1/assets?type=a%00b", "/api/v1/workers?capability=%00", "/api/v1/workers?cursor=%00"}) {
            as(admin).urlEncodingEnabled(false).get(path).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("detail", containsString("NUL"));
        }
        as(admin).urlEncodingEnabled(false).get("/api/v1/pipelines?name=a%00b").then().body("errors[0].path", equalTo("name"));
    }

    @Test
    void aNulCharacterInAPathIsA400() {
        as(admin).urlEncodingEnabled(false).get("/api/v1/workers/w%00x").then().statusCode(400);
        as(admin).urlEncodingEnabled(false).post("/api/v1/workers/w%00x/drain").then().statusCode(400);
    }

    @Test
    void aNulCharacterInABodyIsA422WithItsPath() {
        as(admin).contentType("application/json")
                .body("{\"type\":\"server\",\"name\":\"a\\u0000b\",\"properties\":{\"k\":[\"ok\",\"\\u0000\"]}}")
                .post("/api/v1/assets").then().statusCode(422)
                .body("errors.path", equalTo(java.util.List.of("$.name", "$.properties.k[1]")));
        as(admin).contentType("application/yaml").body("name: \"x\\0y\"\nsteps:\n  - id: a\n    capabilities: [x]\n")
                .post("/api/v1/pipelines").then().statusCode(422).body("errors[0].path", equalTo("$.name"));
        String pipeline = Runs.template(admin, Api.seedTemplate("nul-context"));
        String asset = Runs.asset(admin, "server", "nul-context", null);
        as(admin).contentType("application/json").body("{\"asset_id\":\"" + asset + "\",\"context\":{\"branch\":\"\\u0000\"}}")
                .post("/api/v1/pipelines/" + pipeline + "/run").then().statusCode(422)
                .body("errors[0].path", equalTo("$.context.branch"));
    }

    @Test
    void aLoneSurrogateInABodyIsA422WithItsPath() {
        as(admin).contentType("application/json")
                .body("{\"type\":\"server\",\"name\":\"a\\ud800b\",\"properties\":{\"k\":[\"ok\",\"\\udfff\"]}}")
                .post("/api/v1/assets").then().statusCode(422).contentType("application/problem+json")
                .body("errors.path", equalTo(java.util.List.of("$.name", "$.properties.k[1]")))
                .body("errors[0].message", containsString("surrogate"));
        as(admin).contentType("application/json").body("{\"type\":\"server\",\"name\":\"k\",\"properties\":{\"\\ud800\":1}}")
                .post("/api/v1/assets").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("surrogate")); // Jackson refuses it in a key itself
        as(admin).contentType("application/json")
                .body("{\"name\":\"x\\udbff\",\"steps\":[{\"id\":\"a\",\"capabilities\":[\"x\"]}]}")
                .post("/api/v1/pipelines").then().statusCode(422).body("errors[0].path", equalTo("$.name"));
        String pipeline = Runs.template(admin, Api.seedTemplate("surrogate-context"));
        String asset = Runs.asset(admin, "server", "surrogate-context", null);
        as(admin).contentType("application/json").body("{\"asset_id\":\"" + asset + "\",\"context\":{\"branch\":\"\\ud800\"}}")
                .post("/api/v1/pipelines/" + pipeline + "/run").then().statusCode(422)
                .body("errors[0].path", equalTo("$.context.branch"));
        // a surrogate pair is one character (U+1F512) and welcome
        as(admin).contentType("application/json")
                .body("{\"type\":\"server\",\"name\":\"lock \\ud83d\\udd12\",\"properties\":{}}")
                .post("/api/v1/assets").then().statusCode(201).body("name", equalTo("lock \ud83d\udd12"));
    }

    @Test
    void instantsOutsideWhatPostgresqlHoldsAreA400() {
        as(admin).urlEncodingEnabled(false).get("/api/v1/pipeline-runs?from=%2B294277-01-01T00:00:00Z").then().statusCode(400)
                .body("errors[0].path", equalTo("from"));
        as(admin).urlEncodingEnabled(false).get("/api/v1/pipeline-runs?to=-290000-01-01T00:00:00Z").then().statusCode(400)
                .body("errors[0].path", equalTo("to"));
        as(admin).get("/api/v1/pipeline-runs?from=2026-01-01T00:00:00Z").then().statusCode(200);
    }

    @Test
    void aLimitThatIsNotANumberIsA400NotA404() {
        as(admin).get("/api/v1/pipeline-runs?limit=abc").then().statusCode(400).body("errors[0].path", equalTo("limit"));
        as(admin).get("/api/v1/pipelines?limit=abc").then().statusCode(400);
        as(admin).get("/api/v1/assets?limit=1.5").then().statusCode(400);
        as(admin).get("/api/v1/workers?limit=-1").then().statusCode(400);
        as(admin).get("/api/v1/pipeline-runs/" + UUID.randomUUID() + "/steps/a/logs?limit=abc").then().statusCode(400);
    }

    @Test
    void theEventStreamOfAnUnknownOrForeignRunIsA404() {
        as(admin).accept("text/event-stream").get("/api/v1/pipeline-runs/" + UUID.randomUUID() + "/events")
                .then().statusCode(404).contentType("application/problem+json");
        String pipeline = Runs.template(admin, Api.seedTemplate("sse-foreign"));
        String run = Runs.trigger(admin, pipeline, Runs.asset(admin, "server", "sse-foreign", null));
        as(TestTokens.admin(Api.newTenant())).accept("text/event-stream").get("/api/v1/pipeline-runs/" + run + "/events")
                .then().statusCode(404);
    }
}
