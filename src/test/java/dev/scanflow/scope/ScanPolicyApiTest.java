package dev.scanflow.scope;

import static dev.scanflow.support.Api.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.cli.ScanflowCli;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The scan policy API against the real service: roles, the issue's example, every error at once, the CLI. */
@QuarkusTest
class ScanPolicyApiTest {

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.withEmail(tenant, "sec-admin@example.com", "admin");
    private final String operator = TestTokens.token(tenant, "operator");
    private final String viewer = TestTokens.token(tenant, "viewer");

    /** The issue's example, as written there. */
    static final String EXAMPLE = """
            {"allowed_targets": ["10.20.0.0/16", "*.example.com"], "excluded_targets": ["10.20.5.0/24"],
             "blackout_windows": [{"cron": "0 9 * * 1-5", "duration": "8h", "timezone": "Europe/Berlin"}],
             "active_capabilities": ["dast", "infra"]}""";

    @TestHTTPResource("/")
    URL base;

    record Result(int code, String out, String err) {
    }

    /** The scanflow command, as an admin of this tenant (as CliTest runs it). */
    private Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ScanflowCli.commandLine(Map.of("SCANFLOW_URL", base.toString(), "SCANFLOW_TOKEN", admin),
                new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void theIssuesExampleIsWrittenByAnAdminAndReadByEveryRole() {
        as(viewer).get("/api/v1/scan-policy").then().statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("this tenant has no scan policy: every target is in scope (this deployment "
                        + "sets scanflow.scope.without-policy=allow)"));
        as(viewer).contentType(ContentType.JSON).body(EXAMPLE).put("/api/v1/scan-policy").then().statusCode(403);
        as(operator).contentType(ContentType.JSON).body(EXAMPLE).put("/api/v1/scan-policy").then().statusCode(403);

        JsonPath written = as(admin).contentType(ContentType.JSON).body(EXAMPLE).put("/api/v1/scan-policy").then()
                .statusCode(201).extract().jsonPath();
        assertEquals(tenant.toString(), written.getString("tenant_id"));
        assertEquals(List.of("10.20.0.0/16", "*.example.com"), written.getList("allowed_targets"));
        assertEquals(List.of("10.20.5.0/24"), written.getList("excluded_targets"));
        assertEquals(List.of(Map.of("cron", "0 9 * * 1-5", "duration", "8h", "timezone", "Europe/Berlin")),
                written.getList("blackout_windows"));
        assertEquals(List.of("dast", "infra"), written.getList("active_capabilities"));
        assertEquals(1, written.getInt("version"));
        assertEquals("sec-admin@example.com", written.getString("updated_by"));
        assertTrue(written.getMap("").containsKey("blackout_until"));

        for (String reader : List.of(viewer, operator, admin)) {
            as(reader).get("/api/v1/scan-policy").then().statusCode(200).body("version", equalTo(1))
                    .body("excluded_targets[0]", equalTo("10.20.5.0/24"));
        }
        as(TestTokens.admin(UUID.randomUUID())).get("/api/v1/scan-policy").then().statusCode(404);

        // what GET answers can be written back as it is: the next version
        String read = as(viewer).get("/api/v1/scan-policy").then().statusCode(200).extract().asString();
        as(admin).contentType(ContentType.JSON).body(read).put("/api/v1/scan-policy").then().statusCode(200)
                .body("version", equalTo(2)).body("allowed_targets[1]", equalTo("*.example.com"));
        // YAML too; active capabilities default to dast, infra, network, fuzzing
        as(admin).contentType("application/yaml").body("allowed_targets: [github.com/acme/*]\n")
                .put("/api/v1/scan-policy").then().statusCode(200).body("version", equalTo(3))
                .body("active_capabilities", equalTo(List.of("dast", "infra", "network", "fuzzing")))
                .body("blackout_windows.size()", equalTo(0)).body("blackout_until", nullValue());

        as(operator).delete("/api/v1/scan-policy").then().statusCode(403);
        as(admin).delete("/api/v1/scan-policy").then().statusCode(204);
        as(admin).get("/api/v1/scan-policy").then().statusCode(404);
        as(admin).delete("/api/v1/scan-policy").then().statusCode(404);
    }

    @Test
    void everyErrorOfAPolicyIsInOneAnswerWithItsPath() {
        String body = """
                {"allowed_targets": ["10.20.0.0/16", "10.0.0.0/33", "foo*.example.com"],
                 "excluded_targets": ["10.20.5.1/24"],
                 "blackout_windows": [{"cron": "61 9 * * *", "duration": "forever", "timezone": "Europe/Atlantis"}],
                 "active_capabilities": ["DAST"], "tenant_id": "%s", "owner": "me"}""".formatted(UUID.randomUUID());
        JsonPath problem = as(admin).contentType(ContentType.JSON).body(body).put("/api/v1/scan-policy").then()
                .statusCode(422).contentType("application/problem+json").body("detail", equalTo("9 errors; see 'errors'"))
                .extract().jsonPath();
        assertEquals(List.of("$.tenant_id", "$.allowed_targets[1]", "$.allowed_targets[2]", "$.excluded_targets[0]",
                "$.blackout_windows[0].cron", "$.blackout_windows[0].duration", "$.blackout_windows[0].timezone",
                "$.active_capabilities[0]", "$.owner"), problem.getList("errors.path"));
        assertEquals("'10.20.5.1/24': not a CIDR range or address: has host bits set: did you mean 10.20.5.0/24?",
                problem.getString("errors[3].message"));
        assertTrue(problem.getString("errors[6].message").startsWith("unknown time zone 'Europe/Atlantis'"));
        as(admin).get("/api/v1/scan-policy").then().statusCode(404);
        as(admin).contentType(ContentType.JSON).body("[]").put("/api/v1/scan-policy").then().statusCode(422)
                .body("errors[0].path", equalTo("$"));
        as(admin).contentType(ContentType.TEXT).body("{}").put("/api/v1/scan-policy").then().statusCode(415);
    }

    @Test
    void theCliWritesAndReadsThePolicy() throws Exception {
        Path file = Files.createTempFile("policy", ".yaml");
        Files.writeString(file, """
                allowed_targets: ["10.20.0.0/16", "*.example.com"]
                excluded_targets: ["10.20.5.0/24"]
                blackout_windows:
                  - {cron: "0 9 * * 1-5", duration: 8h, timezone: Europe/Berlin}
                active_capabilities: [dast, infra]
                """);
        Result set = cli("scan-policy", "set", "-f", file.toString());
        assertEquals(0, set.code(), set.out() + set.err());
        assertTrue(set.out().startsWith("scan policy created (version 1)"), set.out());
        Result get = cli("-o", "yaml", "scan-policy", "get");
        assertEquals(0, get.code(), get.err());
        assertTrue(get.out().contains("- \"10.20.5.0/24\"") && get.out().contains("timezone: \"Europe/Berlin\""), get.out());
        // what 'get -o yaml' printed is a file 'set' takes back
        Files.writeString(file, get.out());
        assertTrue(cli("scan-policy", "set", "-f", file.toString()).out().startsWith("scan policy updated (version 2)"));
        Files.writeString(file, "allowed_targets: [\"10.0.0.0/33\"]\n");
        Result refused = cli("scan-policy", "set", "-f", file.toString());
        assertEquals(3, refused.code());
        assertTrue(refused.err().contains("$.allowed_targets[0]"), refused.err());
        assertEquals(0, cli("scan-policy", "delete").code());
        assertEquals(3, cli("scan-policy", "get").code());
    }
}
