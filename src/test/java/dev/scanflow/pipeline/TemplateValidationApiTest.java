package dev.scanflow.pipeline;

import static dev.scanflow.support.Api.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;

import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Broken templates over HTTP: precise 4xx problems, and nothing stored. */
@QuarkusTest
class TemplateValidationApiTest {

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    static Stream<Path> invalid() throws IOException {
        return Files.list(Path.of("src/test/resources/pipelines/invalid")).sorted();
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void everyInvalidFixtureIsA422ProblemNamingItsPaths(Path file) throws IOException {
        String firstExpectedPath = Files.readAllLines(file).stream().filter(l -> l.startsWith("# expect: ")).findFirst()
                .orElseThrow().replaceFirst("^# expect: ", "").split(" \\| ")[0];
        as(admin).contentType("application/yaml").body(Files.readString(file))
                .post("/api/v1/pipelines")
                .then().statusCode(422)
                .contentType("application/problem+json")
                .body("status", equalTo(422))
                .body("type", containsString("validation-error"))
                .body("errors.path", hasItem(firstExpectedPath));
        as(admin).get("/api/v1/pipelines").then().body("items", empty());
    }

    @Test
    void thirteenMistakesComeInOneAnswer() throws IOException {
        // the reader's twelve (structure, the graph, conditions, triggers) and an unknown channel,
        // which needs the tenant's channels: one 422, nothing written
        Path file = Path.of("src/test/resources/pipelines/invalid/every-mistake-at-once.yaml");
        String yaml = Files.readString(file).replace("name: every-mistake\n",
                "name: every-mistake\nsettings:\n  notification:\n    channels: [slack, no-such-channel]\n");
        List<String> expected = new java.util.ArrayList<>(Files.readAllLines(file).stream()
                .filter(l -> l.startsWith("# expect: ")).map(l -> l.substring("# expect: ".length()).split(" \\| ")[0])
                .toList());
        expected.add("$.settings.notification.channels[1]");
        List<String> paths = as(admin).contentType("application/yaml").body(yaml)
                .post("/api/v1/pipelines")
                .then().statusCode(422).contentType("application/problem+json")
                .body("detail", containsString("13 errors"))
                .extract().jsonPath().getList("errors.path", String.class);
        assertEquals(13, expected.size());
        assertEquals(new java.util.HashSet<>(expected), new java.util.HashSet<>(paths), "got " + paths);
        as(admin).get("/api/v1/pipelines").then().body("items", empty());
    }

    @Test
    void malformedJsonIs400() {
        as(admin).contentType(ContentType.JSON).body("{\"name\": \"x\", \"steps\": [")
                .post("/api/v1/pipelines")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("malformed JSON"));
    }

    @Test
    void malformedYamlIs400() {
        as(admin).contentType("application/yaml").body("name: [unclosed\nsteps: {")
                .post("/api/v1/pipelines")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("malformed YAML"));
    }

    @Test
    void yamlBombIsRefused() {
        StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'z'; c++) {
            char p = (char) (c - 1);
            yaml.append(c).append(": &").append(c).append(" [*").append(p).append(", *").append(p).append(", *")
                    .append(p).append("]\n");
        }
        // 3^25 nodes if aliases were expanded: it must come back at once as a client error
        as(admin).contentType("application/yaml").body(yaml.toString())
                .post("/api/v1/pipelines")
                .then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(400), equalTo(422)))
                .contentType("application/problem+json")
                .time(org.hamcrest.Matchers.lessThan(5_000L));
    }

    @Test
    void duplicateKeysAreRefused() {
        as(admin).contentType(ContentType.JSON).body("{\"name\":\"a\",\"name\":\"b\",\"steps\":[]}")
                .post("/api/v1/pipelines").then().statusCode(400).body("detail", containsString("name"));
    }

    @Test
    void emptyBodyAndNonObjectBodyAreRefused() {
        as(admin).contentType(ContentType.JSON).body("")
                .post("/api/v1/pipelines").then().statusCode(400).contentType("application/problem+json");
        as(admin).contentType(ContentType.JSON).body("[1,2]")
                .post("/api/v1/pipelines").then().statusCode(422).body("errors[0].path", equalTo("$"));
    }

    @Test
    void oversizedBodyIs413() {
        String big = "{\"name\":\"big\",\"description\":\"" + "x".repeat(600_000) + "\",\"steps\":[]}";
        as(admin).contentType(ContentType.JSON).body(big)
                .post("/api/v1/pipelines").then().statusCode(413).contentType("application/problem+json");
    }

    @Test
    void unsupportedMediaTypeIs415() {
        as(admin).contentType(ContentType.XML).body("<pipeline/>")
                .post("/api/v1/pipelines").then().statusCode(415).contentType("application/problem+json");
    }

    @Test
    void allErrorsComeInOneAnswer() throws IOException {
        as(admin).contentType("application/yaml").body(Api.fixture("pipelines/invalid/many-errors.yaml"))
                .post("/api/v1/pipelines").then().statusCode(422)
                .body("errors", hasSize(4))
                .body("detail", containsString("4 errors"));
    }

    @Test
    void anInvalidUpdateLeavesTheTemplateUntouched() {
        String id = as(admin).contentType("application/yaml").body(Api.seedTemplate("untouched"))
                .post("/api/v1/pipelines").then().statusCode(201).extract().path("id");
        as(admin).contentType("application/yaml").body("name: untouched\nsteps:\n  - id: a\n    capabilities: []\n")
                .put("/api/v1/pipelines/" + id).then().statusCode(422);
        as(admin).contentType(ContentType.JSON).body("{\"capabilities\":[\"sast\"],\"depends_on\":[\"dast\"]}")
                .put("/api/v1/pipelines/" + id + "/steps/sast").then().statusCode(422)
                .body("errors[0].message", containsString("dependency cycle"));
        as(admin).get("/api/v1/pipelines/" + id).then().body("version", equalTo(1));
        as(admin).get("/api/v1/pipelines/" + id + "/versions").then().body("items", hasSize(1));
    }

    @Test
    void problemsAreDocumentedInOpenApi() {
        io.restassured.RestAssured.given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.size()", greaterThan(5));
    }
}
