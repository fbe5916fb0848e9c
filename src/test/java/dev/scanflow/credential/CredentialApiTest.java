package dev.scanflow.credential;

import static dev.scanflow.support.Api.as;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.cli.ScanflowCli;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The credentials API, its roles and errors, the assets and templates that name credentials,
 * the CLI and docs/api.md's examples. A value goes in and never comes out: every answer of every
 * role is searched for it.
 */
@QuarkusTest
class CredentialApiTest {

    private static final String TOKEN = "ghp_TopSecretValue0000000000000000000A";
    private static final String ROTATED = "ghp_TopSecretValue0000000000000000000B";

    @TestHTTPResource("/")
    URL base;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);
    private final String operator = TestTokens.token(tenant, "operator");
    private final String viewer = TestTokens.token(tenant, "viewer");
    /** Every answer this test got, to search for the values. */
    private final List<String> answers = new ArrayList<>();

    private Response keep(Response r) {
        answers.add(r.getStatusCode() + " " + r.getHeaders() + " " + r.asString());
        return r;
    }

    private Response post(String token, String path, String json) {
        return keep(as(token).contentType(ContentType.JSON).body(json).post(path));
    }

    private Response get(String token, String path) {
        return keep(as(token).get(path));
    }

    private void assertNoValueAnswered(String... values) {
        for (String answer : answers) {
            for (String v : values) {
                assertFalse(answer.contains(v), "an answer holds a value: " + answer);
            }
        }
    }

    @Test
    void createReadRotateAndDeleteWithoutEverAnsweringTheValue() {
        post(admin, "/api/v1/credentials", "{\"name\": \"github-ci\", \"kind\": \"git_token\", \"value\": \"" + TOKEN
                + "\", \"scope\": [\"github.com/acme/*\"]}")
                .then().statusCode(201).header("Location", containsString("/api/v1/credentials/github-ci"))
                .body("name", equalTo("github-ci")).body("kind", equalTo("git_token"))
                .body("username", equalTo("x-access-token")).body("scope", containsInAnyOrder("github.com/acme/*"))
                .body("usable_by", nullValue()).body("has_previous", equalTo(false)).body("created_at", notNullValue());
        post(admin, "/api/v1/credentials", "{\"name\": \"github-ci\", \"kind\": \"git_token\", \"value\": \"" + TOKEN + "\"}")
                .then().statusCode(409);
        for (String role : List.of(admin, operator, viewer)) {
            get(role, "/api/v1/credentials").then().statusCode(200).body("items.name", hasItems("github-ci"));
            get(role, "/api/v1/credentials/github-ci").then().statusCode(200).body("kind", equalTo("git_token"));
        }
        for (String role : List.of(operator, viewer)) {
            post(role, "/api/v1/credentials", "{\"name\": \"x\", \"kind\": \"cookie\", \"value\": \"" + TOKEN + "\"}")
                    .then().statusCode(403);
            post(role, "/api/v1/credentials/github-ci/rotate", "{\"value\": \"" + ROTATED + "\"}").then().statusCode(403);
            keep(as(role).delete("/api/v1/credentials/github-ci")).then().statusCode(403);
        }
        post(admin, "/api/v1/credentials/github-ci/rotate", "{\"value\": \"" + ROTATED + "\", \"grace\": \"1h\"}")
                .then().statusCode(200).body("has_previous", equalTo(true)).body("grace_until", notNullValue())
                .body("rotated_at", notNullValue());
        post(admin, "/api/v1/credentials/github-ci/rotate", "{\"value\": \"" + TOKEN + "\"}")
                .then().statusCode(200).body("has_previous", equalTo(false)).body("grace_until", nullValue());
        get(viewer, "/api/v1/credentials/nope").then().statusCode(404);
        get(TestTokens.admin(Api.newTenant()), "/api/v1/credentials/github-ci").then().statusCode(404);
        keep(as(admin).delete("/api/v1/credentials/github-ci")).then().statusCode(204);
        get(admin, "/api/v1/credentials/github-ci").then().statusCode(404);
        assertNoValueAnswered(TOKEN, ROTATED);
    }

    @Test
    void everyErrorAtOnceWithItsPathAndNeverTheValue() {
        post(admin, "/api/v1/credentials", "{\"name\": \"Bad Name\", \"kind\": \"git_ssh_key\", \"value\": \"" + TOKEN
                + "\", \"username\": \"u\", \"scope\": [\"*\", \"exa mple.com\", \"github.com/ok/*\"], \"usable_by\": [], "
                + "\"colour\": \"" + TOKEN + "\"}")
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors.path", containsInAnyOrder("$.name", "$.value", "$.username", "$.scope[0]", "$.scope[1]",
                        "$.usable_by", "$.colour"));
        post(admin, "/api/v1/credentials", "{\"kind\": \"http_header\", \"value\": \"" + TOKEN + "\\nX-Evil: 1\"}")
                .then().statusCode(422).body("errors.path", containsInAnyOrder("$.name", "$.value", "$.header"));
        post(admin, "/api/v1/credentials", "{\"name\": \"b\", \"kind\": \"http_basic\", \"value\": 12, \"username\": \"a:b\"}")
                .then().statusCode(422).body("errors.path", containsInAnyOrder("$.value", "$.username"));
        post(admin, "/api/v1/credentials", "{\"name\": \"k\", \"kind\": \"teleport\", \"value\": \"" + TOKEN + "\"}")
                .then().statusCode(422).body("errors.path", containsInAnyOrder("$.kind"));
        // a parser quotes what it could not read: the answer gives the position only
        post(admin, "/api/v1/credentials", "{\"name\": \"m\", \"kind\": \"cookie\", \"value\": " + TOKEN + "}")
                .then().statusCode(400).body("detail", containsString("line 1"));
        keep(as(admin).contentType("application/yaml").body("name: m\nkind: cookie\nvalue: [" + TOKEN + "\n")
                .post("/api/v1/credentials")).then().statusCode(400);
        post(admin, "/api/v1/credentials", "{\"name\": \"r\", \"kind\": \"api_key\", \"value\": \"" + TOKEN + "\"}")
                .then().statusCode(201).body("header", equalTo("X-API-Key"));
        post(admin, "/api/v1/credentials/r/rotate", "{\"grace\": \"forever\", \"token\": \"" + ROTATED + "\"}")
                .then().statusCode(422).body("errors.path", containsInAnyOrder("$.value", "$.grace", "$.token"));
        post(admin, "/api/v1/credentials/nope/rotate", "{\"value\": \"" + ROTATED + "\"}").then().statusCode(404);
        assertNoValueAnswered(TOKEN, ROTATED);
    }

    @Test
    void assetsRefuseUrlsWithCredentialsAndUnknownCredentials() {
        post(admin, "/api/v1/credentials", "{\"name\": \"repo-token\", \"kind\": \"git_token\", \"value\": \"" + TOKEN + "\"}")
                .then().statusCode(201);
        post(admin, "/api/v1/assets", "{\"type\": \"repository\", \"name\": \"acme/a\", \"url\": \"https://ci-bot:" + TOKEN
                + "@git.example.com/acme/a.git\", \"credentials\": [\"repo-token\", \"nope\"], \"criticality\": \"urgent\"}")
                .then().statusCode(422)
                .body("errors.path", containsInAnyOrder("$.url", "$.credentials[1]", "$.criticality"))
                .body("errors.find { it.path == '$.url' }.message", containsString("POST /api/v1/credentials"));
        for (String url : List.of("ssh://deploy:" + TOKEN + "@10.0.0.5/r.git", "https://" + TOKEN + "@github.com/acme/a.git")) {
            post(admin, "/api/v1/assets", "{\"type\": \"repository\", \"name\": \"acme/b\", \"url\": \"" + url + "\"}")
                    .then().statusCode(422).body("errors[0].path", equalTo("$.url"));
            keep(as(admin).contentType(ContentType.JSON).body("{\"type\": \"repository\", \"name\": \"acme/b\", \"url\": \""
                    + url + "\"}").put("/api/v1/assets/apply")).then().statusCode(422);
        }
        post(admin, "/api/v1/assets", "{\"type\": \"repository\", \"name\": \"acme/ssh\", \"url\": "
                + "\"ssh://git@github.com/acme/x.git\"}").then().statusCode(201);
        String id = post(admin, "/api/v1/assets", "{\"type\": \"repository\", \"name\": \"acme/c\", \"url\": "
                + "\"https://git.example.com/acme/c.git\", \"credentials\": [\"repo-token\", \"repo-token\"]}")
                .then().statusCode(201).body("credentials", containsInAnyOrder("repo-token")).extract().path("id");
        get(viewer, "/api/v1/assets/" + id).then().statusCode(200).body("credentials", containsInAnyOrder("repo-token"));
        keep(as(admin).contentType(ContentType.JSON).body("{\"type\": \"repository\", \"name\": \"acme/c\", \"credentials\": "
                + "[\"ghost\"]}").put("/api/v1/assets/" + id)).then().statusCode(422)
                .body("errors.path", containsInAnyOrder("$.credentials[0]"));
        keep(as(admin).contentType(ContentType.JSON).body("{\"type\": \"repository\", \"name\": \"acme/c\", \"url\": "
                + "\"https://git.example.com/acme/c.git\", \"credentials\": [\"repo-token\"]}").put("/api/v1/assets/apply"))
                .then().statusCode(200).header("Scanflow-Apply", equalTo("unchanged"));
        assertNoValueAnswered(TOKEN);
    }

    @Test
    void templatesCheckTheCredentialTheirStepsName() {
        post(admin, "/api/v1/credentials", "{\"name\": \"staging-login\", \"kind\": \"http_basic\", \"username\": \"scan\", "
                + "\"value\": \"" + TOKEN + "\"}").then().statusCode(201);
        String bad = "name: creds-bad\nsteps:\n  - id: a\n    capabilities: [dast]\n    config: {auth: {credential: nope}}\n"
                + "  - id: b\n    capabilities: [dast]\n    config: {auth: {token: x}}\n"
                + "  - id: c\n    capabilities: [dast]\n    timeout: soon\n    config: {auth: staging-login}\n";
        keep(as(admin).contentType("application/yaml").body(bad).post("/api/v1/pipelines")).then().statusCode(422)
                .body("errors.path", containsInAnyOrder("$.steps[0].config.auth.credential", "$.steps[1].config.auth.token",
                        "$.steps[1].config.auth.credential", "$.steps[2].timeout", "$.steps[2].config.auth"));
        String good = "name: creds-good\nsteps:\n  - id: dast\n    capabilities: [dast]\n"
                + "    config: {auth: {credential: staging-login}}\n";
        String pipeline = keep(as(admin).contentType("application/yaml").body(good).post("/api/v1/pipelines"))
                .then().statusCode(201).extract().path("id");
        // a step edit is checked the same way, its errors relative to the step
        keep(as(admin).contentType(ContentType.JSON).body("{\"id\": \"dast\", \"capabilities\": [\"dast\"], \"config\": "
                + "{\"auth\": {\"credential\": \"ghost\"}}}").put("/api/v1/pipelines/" + pipeline + "/steps/dast"))
                .then().statusCode(422).body("errors.path", containsInAnyOrder("$.config.auth.credential"));
        // in use: the pipeline is named
        keep(as(admin).delete("/api/v1/credentials/staging-login")).then().statusCode(409)
                .body("detail", containsString("'creds-good'"));
        keep(as(admin).contentType("application/yaml").body("name: creds-good\nsteps:\n  - id: dast\n    capabilities: [dast]\n")
                .put("/api/v1/pipelines/" + pipeline)).then().statusCode(200);
        keep(as(admin).delete("/api/v1/credentials/staging-login")).then().statusCode(204);
        assertNoValueAnswered(TOKEN);
    }

    @Test
    void deleteIsRefusedWhileAnAssetNamesIt() {
        post(admin, "/api/v1/credentials", "{\"name\": \"held\", \"kind\": \"cookie\", \"value\": \"" + TOKEN + "\"}")
                .then().statusCode(201);
        String id = post(admin, "/api/v1/assets", "{\"type\": \"web_application\", \"name\": \"shop\", \"url\": "
                + "\"https://shop.example.com/\", \"credentials\": [\"held\"]}").then().statusCode(201).extract().path("id");
        keep(as(admin).delete("/api/v1/credentials/held")).then().statusCode(409)
                .body("detail", containsString("web_application 'shop'"));
        keep(as(admin).contentType(ContentType.JSON).body("{\"type\": \"web_application\", \"name\": \"shop\"}")
                .put("/api/v1/assets/" + id)).then().statusCode(200);
        keep(as(admin).delete("/api/v1/credentials/held")).then().statusCode(204);
        assertNoValueAnswered(TOKEN);
    }

    record Cli(int code, String out, String err) {
    }

    private Cli cli(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ScanflowCli.commandLine(Map.of("SCANFLOW_URL", base.toString(), "SCANFLOW_TOKEN", admin),
                new PrintWriter(out), new PrintWriter(err),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))).execute(args);
        answers.add(out + "\n" + err);
        return new Cli(code, out.toString(), err.toString());
    }

    /** docs/api.md's CLI lines, with a real file and stdin. */
    @Test
    void theCliTakesValuesFromAFileOrStdinOnly() throws Exception {
        Path file = Files.createTempFile("github-ci", ".token");
        Files.writeString(file, TOKEN + "\n");
        Cli created = cli("", "credentials", "create", "github-ci", "--kind", "git_token", "--scope", "github.com/acme/*",
                "--value-file", file.toString());
        assertEquals(0, created.code(), created.err());
        assertTrue(created.out().contains("github-ci") && created.out().contains("git_token"), created.out());
        Cli rotated = cli(ROTATED, "credentials", "rotate", "github-ci", "--grace", "1h");
        assertEquals(0, rotated.code(), rotated.err());
        Cli listed = cli("", "-o", "json", "credentials", "list");
        assertTrue(listed.out().contains("\"has_previous\" : true"), listed.out());
        Cli empty = cli("", "credentials", "create", "x", "--kind", "cookie");
        assertEquals(2, empty.code(), empty.err());
        assertTrue(empty.err().contains("never on the command line"), empty.err());
        post(admin, "/api/v1/assets", "{\"type\": \"repository\", \"name\": \"acme/private\", \"credentials\": [\"github-ci\"]}")
                .then().statusCode(201);
        Cli refused = cli("", "credentials", "delete", "github-ci");
        assertEquals(3, refused.code(), refused.err());
        assertTrue(refused.err().contains("acme/private"), refused.err());
        assertNoValueAnswered(TOKEN, ROTATED);
    }

    /** Every curl line of docs/api.md's "Scan credentials", as documented, with the status it says (2xx otherwise). */
    @Test
    void theDocumentedExamplesWork() throws Exception {
        String doc = Files.readString(Path.of("docs/api.md"));
        String section = doc.substring(doc.indexOf("## Scan credentials"));
        section = section.substring(0, section.indexOf("\n## ", 5));
        String bash = section.substring(section.indexOf("```bash"), section.indexOf("```", section.indexOf("```bash") + 7));
        List<String> lines = List.of(bash.replace("\\\n", " ").split("\n"));
        Pattern curl = Pattern.compile("curl (?:-X (\\w+) )?.*?\\$BASE(/api/v1/\\S+)(?: +-d '(.*)')?$");
        int ran = 0;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = curl.matcher(lines.get(i).trim());
            if (!m.find()) {
                continue;
            }
            String method = m.group(1) != null ? m.group(1) : m.group(3) != null ? "POST" : "GET";
            var request = as(admin);
            if (m.group(3) != null) {
                request = request.contentType(ContentType.JSON).body(m.group(3));
            }
            Response r = keep(request.request(method, m.group(2)));
            Matcher expected = Pattern.compile("^# (\\d{3}) ").matcher(i + 1 < lines.size() ? lines.get(i + 1) : "");
            if (expected.find()) {
                assertEquals(Integer.parseInt(expected.group(1)), r.statusCode(), lines.get(i) + "\n" + r.asString());
            } else {
                assertTrue(r.statusCode() / 100 == 2, lines.get(i) + "\n" + r.asString());
            }
            ran++;
        }
        assertEquals(7, ran, "the curl lines of docs/api.md's Scan credentials");
        String yaml = section.substring(section.indexOf("```yaml") + 7, section.indexOf("```", section.indexOf("```yaml") + 7));
        keep(as(admin).contentType("application/yaml").body(yaml).post("/api/v1/pipelines")).then().statusCode(201);
        get(viewer, "/api/v1/credentials/staging-login").then().statusCode(200).body("usable_by", containsInAnyOrder("Appsec"));
        assertNoValueAnswered("ghp_exampleExampleExample0001", "ghp_exampleExampleExample0002",
                "ghp_exampleExampleExample0003", "eyJexample.example.example");
    }
}
