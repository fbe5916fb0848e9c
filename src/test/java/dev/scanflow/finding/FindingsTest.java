package dev.scanflow.finding;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.template;
import static dev.scanflow.support.Runs.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.protocol.Finding;
import dev.scanflow.support.Api;
import dev.scanflow.support.SarifValidator;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Findings across runs on one asset, through the real NATS and PostgreSQL: what is new, unchanged,
 * fixed and reopened; only a completed step fixes; one CVE on one package from two tools is one
 * finding; redelivered chunks change nothing; a partial set fails the step; suppressions; tenants
 * apart.
 */
@QuarkusTest
class FindingsTest {

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);
    private final String cap = "fnd-" + UUID.randomUUID().toString().substring(0, 8);
    private final AtomicReference<BiConsumer<TestWorker, JsonNode>> behaviour = new AtomicReference<>();
    private TestWorker worker;

    private TestWorker worker() throws Exception {
        if (worker == null) {
            worker = new TestWorker("w-" + cap, tenant, List.of(cap), List.of(), 4)
                    .onScan((w, cmd) -> behaviour.get().accept(w, cmd));
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                    "online".equals(as(admin).get("/api/v1/workers/" + worker.id()).jsonPath().getString("status")));
        }
        return worker;
    }

    @AfterEach
    void stop() throws Exception {
        if (worker != null) {
            worker.close();
        }
    }

    static Finding code(String rule, String file, int line, String snippet, String severity) {
        return new Finding("eslint", rule, rule + " in " + file, severity, "code",
                Finding.Location.code(file, line, line, snippet), List.of("CWE-78"), null, "found " + rule + " at " + line,
                null);
    }

    static Finding dependency(String tool, String cve, String pkg, String version, String severity) {
        return new Finding(tool, cve, pkg + " " + cve, severity, "dependency",
                Finding.Location.dependency(pkg, version, "pkg:npm/" + pkg + "@" + version), List.of(cve), null, null, null);
    }

    private String pipeline(String extraStep) {
        return template(admin, "name: findings-" + cap + "\nsteps:\n"
                + "  - id: sast\n    tool: semgrep\n    capabilities: [" + cap + "]\n" + extraStep);
    }

    /** Runs the pipeline once with the worker reporting these findings of the step (or failing when null). */
    private JsonPath runWith(String pipeline, String assetId, List<Finding> findings) throws Exception {
        behaviour.set((w, cmd) -> {
            if (findings == null) {
                w.fail(cmd, "EXIT_2", "the scanner crashed");
            } else {
                w.completeWithFindings(cmd, findings, 2, Map.of("tool", "eslint"));
            }
        });
        worker();
        String run = trigger(admin, pipeline, assetId);
        return awaitRun(admin, run, Duration.ofSeconds(30), "completed", "failed");
    }

    private Map<String, String> changes(String runId) {
        List<Map<String, Object>> items = as(admin).get("/api/v1/pipeline-runs/" + runId + "/findings?limit=1000")
                .then().statusCode(200).extract().jsonPath().getList("items");
        return items.stream().collect(Collectors.toMap(i -> (String) i.get("rule_id"), i -> (String) i.get("change")));
    }

    @Test
    void theSameFindingsTwiceAreUnchangedAndLineShiftsChangeNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String pipeline = pipeline("");
        String assetId = asset(admin, "repository", "repo-" + cap, "https://git.example/" + cap);
        List<Finding> first = List.of(code("no-eval", "src/a.js", 10, "eval(input)", "high"),
                code("no-exec", "src/b.js", 20, "exec(cmd)", "medium"),
                code("weak-hash", "lib/c.js", 5, "md5(x)", "low"));
        JsonPath one = runWith(pipeline, assetId, first);
        assertEquals("completed", one.getString("status"));
        assertEquals(3, one.getInt("new_findings_count"));
        assertEquals(0, one.getInt("fixed_findings_count"));
        assertEquals(1, one.getInt("new_findings_by_severity.high"));
        assertEquals(3, one.getInt("step_runs[0].new_findings_count"));
        assertEquals(Map.of("no-eval", "new", "no-exec", "new", "weak-hash", "new"), changes(one.getString("id")));
        assertEquals(3, as(admin).get("/api/v1/pipeline-runs?asset_id=" + assetId).jsonPath()
                .getInt("items[0].new_findings_count"), "a run in a list carries its new findings too");
        JsonPath history = as(admin).get("/api/v1/pipeline-runs/" + one.getString("id") + "/history").then()
                .statusCode(200).extract().jsonPath();
        assertEquals(3, history.getInt("items.find { it.type == 'pipeline.step.completed' }.payload.data.new_findings_count"));
        assertEquals(3, history.getInt("items.find { it.type == 'pipeline.run.completed' }.payload.data.new_findings_count"));
        assertEquals(0, history.getInt("items.find { it.type == 'pipeline.run.completed' }.payload.data.fixed_findings_count"));

        // the same problems, ten lines further down and with other whitespace
        List<Finding> shifted = List.of(code("no-eval", "./src/a.js", 20, "  eval(input)\n", "high"),
                code("no-exec", "src/b.js", 30, "exec(cmd)  ", "medium"),
                code("weak-hash", "lib/c.js", 15, "md5(x)", "low"));
        JsonPath two = runWith(pipeline, assetId, shifted);
        assertEquals(0, two.getInt("new_findings_count"));
        assertEquals(0, two.getInt("fixed_findings_count"));
        assertEquals(3, two.getInt("unchanged_findings_count"));
        assertEquals(Map.of("no-eval", "unchanged", "no-exec", "unchanged", "weak-hash", "unchanged"),
                changes(two.getString("id")));
        JsonPath list = as(admin).get("/api/v1/findings?asset_id=" + assetId).then().statusCode(200).extract().jsonPath();
        assertEquals(3, list.getList("items").size(), "three findings, however often they were seen");
        assertEquals(20, list.getInt("items.find { it.rule_id == 'no-eval' }.location.start_line"),
                "the location is the latest one");

        // one removed: exactly that one is fixed; then a failed step fixes nothing; then it is back
        JsonPath three = runWith(pipeline, assetId, shifted.subList(0, 2));
        assertEquals(1, three.getInt("fixed_findings_count"));
        assertEquals(1, three.getInt("step_runs[0].fixed_findings_count"));
        assertEquals("fixed", changes(three.getString("id")).get("weak-hash"));
        assertEquals(1, three.getInt("fixed_findings_by_severity.low"));
        JsonPath failed = runWith(pipeline, assetId, null);
        assertEquals("failed", failed.getString("status"));
        assertEquals(Map.of(), changes(failed.getString("id")), "a failed step sees and fixes nothing");
        assertEquals(List.of("weak-hash"), as(admin).get("/api/v1/findings?asset_id=" + assetId + "&state=fixed")
                .jsonPath().getList("items.rule_id"), "still exactly the one fixed finding");
        JsonPath back = runWith(pipeline, assetId, shifted);
        assertEquals(1, back.getInt("new_findings_count"), "a reopened finding counts as new");
        byte[] sarif = as(admin).accept("application/sarif+json").get("/api/v1/pipeline-runs/" + back.getString("id")
                + "/findings").then().statusCode(200).contentType("application/sarif+json").extract().asByteArray();
        JsonNode log = new com.fasterxml.jackson.databind.ObjectMapper().readTree(sarif);
        assertEquals("2.1.0", log.path("version").asText());
        List<String> states = new ArrayList<>();
        log.path("runs").forEach(r -> r.path("results").forEach(x -> states.add(x.path("baselineState").asText())));
        states.sort(null);
        assertEquals(List.of("new", "unchanged", "unchanged"), states, "reopened is new to SARIF");
        assertEquals(List.of(), SarifValidator.errors(dir, sarif));
        assertEquals("reopened", changes(back.getString("id")).get("weak-hash"));
        assertEquals(1, as(admin).get("/api/v1/pipeline-runs/" + back.getString("id") + "/findings/summary")
                .jsonPath().getInt("reopened_findings_count"));
    }

    @Test
    void oneCveOnOnePackageFromTwoToolsIsOneFindingAndANewOneGatesALaterStep() throws Exception {
        String pipeline = template(admin, "name: deps-" + cap + "\nsteps:\n"
                + "  - id: sca\n    tool: trivy\n    capabilities: [" + cap + "]\n"
                + "  - id: sca2\n    tool: grype\n    capabilities: [" + cap + "]\n    depends_on: [sca]\n"
                + "  - id: dast\n    capabilities: [" + cap + "]\n    depends_on: [sca2]\n"
                + "    condition: \"steps.sca.new_findings_count > 0 && steps.sca.new_findings_by_severity.critical > 0\"\n");
        String assetId = asset(admin, "repository", "deps-" + cap, "https://git.example/deps-" + cap);
        behaviour.set((w, cmd) -> {
            String step = cmd.path("payload").path("step_id").asText();
            switch (step) {
                case "sca" -> w.completeWithFindings(cmd, List.of(dependency("trivy", "CVE-2021-44228", "log4j", "2.14.1",
                        "critical")), 10, Map.of("tool", "trivy"));
                case "sca2" -> w.completeWithFindings(cmd, List.of(dependency("grype", "CVE-2021-44228", "LOG4J", "2.14.1",
                        "critical")), 10, Map.of("tool", "grype"));
                default -> w.complete(cmd, 0, Map.of());
            }
        });
        worker();
        JsonPath first = awaitRun(admin, trigger(admin, pipeline, assetId), Duration.ofSeconds(30), "completed", "failed");
        assertEquals("completed", first.getString("status"));
        assertEquals(1, first.getInt("new_findings_count"));
        assertEquals("completed", first.getString("step_runs.find { it.step_id == 'dast' }.status"),
                "the DAST step runs: the SCA step found something new and critical");
        JsonPath list = as(admin).get("/api/v1/findings?asset_id=" + assetId).jsonPath();
        assertEquals(1, list.getList("items").size());
        assertEquals(List.of("trivy", "grype"), list.getList("items[0].tools"));

        JsonPath second = awaitRun(admin, trigger(admin, pipeline, assetId), Duration.ofSeconds(30), "completed", "failed");
        assertEquals(0, second.getInt("new_findings_count"));
        assertEquals("skipped", second.getString("step_runs.find { it.step_id == 'dast' }.status"),
                "nothing new: the condition on new findings skips the DAST step");
    }

    @Test
    void redeliveredChunksChangeNothingAndAPartialSetFailsTheStep() throws Exception {
        String pipeline = pipeline("");
        String assetId = asset(admin, "repository", "chunks-" + cap, "https://git.example/chunks-" + cap);
        List<Finding> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(code("rule-" + i, "src/f" + i + ".js", i + 1, "call" + i + "()", "medium"));
        }
        behaviour.set((w, cmd) -> {
            w.running(cmd);
            w.sendFindings(cmd, five, 2);
            w.sendChunk(cmd, 1, five.subList(2, 4)); // a redelivery, as after a lost ack
            w.sendFindings(cmd, five, 2); // the whole set again
            w.completeHaving(cmd, five, 5, Map.of("tool", "eslint"));
        });
        worker();
        JsonPath run = awaitRun(admin, trigger(admin, pipeline, assetId), Duration.ofSeconds(30), "completed", "failed");
        assertEquals("completed", run.getString("status"));
        assertEquals(5, run.getInt("new_findings_count"));
        assertEquals(5, changes(run.getString("id")).size());

        // the worker says 5 but only the first chunk (2) arrives: the step must not complete on it
        behaviour.set((w, cmd) -> {
            w.running(cmd);
            w.sendChunk(cmd, 0, five.subList(0, 2));
            w.completeHaving(cmd, five, 5, Map.of("tool", "eslint"));
        });
        JsonPath partial = awaitRun(admin, trigger(admin, pipeline, assetId), Duration.ofSeconds(40), "completed", "failed");
        assertEquals("failed", partial.getString("status"));
        assertEquals("FINDINGS_INCOMPLETE", partial.getString("step_runs[0].error_code"));
        assertTrue(partial.getString("step_runs[0].error_message").startsWith("2 of the 5 findings"),
                partial.getString("step_runs[0].error_message"));
        assertEquals(0, as(admin).get("/api/v1/findings?asset_id=" + assetId + "&state=fixed").jsonPath()
                .getList("items").size(), "a step that did not complete fixes nothing");
    }

    @Test
    void suppressedFindingsAreCountedApartAndReopenWhenTheSuppressionGoes() throws Exception {
        String pipeline = pipeline("");
        String assetId = asset(admin, "repository", "supp-" + cap, "https://git.example/supp-" + cap);
        List<Finding> findings = List.of(code("no-eval", "test/a.test.js", 3, "eval(fixture)", "high"),
                code("no-eval", "src/a.js", 9, "eval(input)", "high"));
        String suppression = as(admin).contentType(ContentType.JSON)
                .body("{\"rule_id\": \"no-eval\", \"pattern\": \"test/**\", \"reason\": \"test fixtures\", "
                        + "\"owner\": \"appsec\", \"asset_id\": \"" + assetId + "\"}")
                .post("/api/v1/suppressions").then().statusCode(201).extract().path("id");
        JsonPath one = runWith(pipeline, assetId, findings);
        assertEquals(1, one.getInt("new_findings_count"), "the test fixture is suppressed");
        assertEquals(1, one.getInt("suppressed_findings_count"));
        assertEquals(0, one.getInt("new_findings_by_severity.critical"));
        assertEquals(1, as(admin).get("/api/v1/findings?suppressed=true&asset_id=" + assetId).jsonPath()
                .getList("items").size());

        as(admin).delete("/api/v1/suppressions/" + suppression).then().statusCode(204);
        JsonPath two = runWith(pipeline, assetId, findings);
        assertEquals(1, two.getInt("new_findings_count"), "its suppression gone, the finding is reopened");
        assertEquals(0, two.getInt("suppressed_findings_count"));

        // every error of a body at once
        JsonPath bad = as(admin).contentType(ContentType.JSON)
                .body("{\"finding_id\": \"nope\", \"pattern\": \"x\", \"expires_at\": \"yesterday\"}")
                .post("/api/v1/suppressions").then().statusCode(422).extract().jsonPath();
        Set<String> paths = Set.copyOf(bad.getList("errors.path"));
        assertTrue(paths.containsAll(Set.of("$.finding_id", "$.pattern", "$.reason", "$.owner", "$.expires_at")),
                paths.toString());
        JsonPath far = as(admin).contentType(ContentType.JSON)
                .body("{\"rule_id\": \"r\", \"pattern\": \"**/**/**/**/x\", \"reason\": \"r\", \"owner\": \"o\", "
                        + "\"expires_at\": \"+300000-01-01T00:00:00Z\"}")
                .post("/api/v1/suppressions").then().statusCode(422).extract().jsonPath();
        assertEquals(Set.of("$.pattern", "$.expires_at"), Set.copyOf(far.getList("errors.path")),
                "a pattern that would backtrack, a time PostgreSQL cannot hold");
    }

    @Test
    void anotherTenantSeesNoneOfThem() throws Exception {
        String pipeline = pipeline("");
        String assetId = asset(admin, "repository", "iso-" + cap, "https://git.example/iso-" + cap);
        JsonPath run = runWith(pipeline, assetId, List.of(code("no-eval", "src/a.js", 1, "eval(x)", "high")));
        String findingId = as(admin).get("/api/v1/findings?asset_id=" + assetId).jsonPath().getString("items[0].id");
        String suppression = as(admin).contentType(ContentType.JSON)
                .body("{\"finding_id\": \"" + findingId + "\", \"reason\": \"accepted\", \"owner\": \"appsec\"}")
                .post("/api/v1/suppressions").then().statusCode(201).extract().path("id");

        String other = TestTokens.admin(Api.newTenant());
        assertEquals(0, as(other).get("/api/v1/findings").jsonPath().getList("items").size());
        as(other).get("/api/v1/findings/" + findingId).then().statusCode(404);
        as(other).get("/api/v1/pipeline-runs/" + run.getString("id") + "/findings").then().statusCode(404);
        as(other).get("/api/v1/pipeline-runs/" + run.getString("id") + "/findings/summary").then().statusCode(404);
        as(other).get("/api/v1/pipeline-runs/" + run.getString("id") + "/events").then().statusCode(404);
        as(other).get("/api/v1/pipeline-runs/" + run.getString("id") + "/history").then().statusCode(404);
        as(other).get("/api/v1/suppressions/" + suppression).then().statusCode(404);
        as(other).delete("/api/v1/suppressions/" + suppression).then().statusCode(404);
        assertEquals(0, as(other).get("/api/v1/suppressions").jsonPath().getList("items").size());
        as(other).contentType(ContentType.JSON)
                .body("{\"finding_id\": \"" + findingId + "\", \"reason\": \"x\", \"owner\": \"y\"}")
                .post("/api/v1/suppressions").then().statusCode(422);
        assertNull(as(other).get("/api/v1/findings?asset_id=" + assetId).jsonPath().getString("items[0]"));
    }

    /** Runs the pipeline once, the worker reporting these findings as if {@code ran} had run. */
    private JsonPath runAs(String pipeline, String assetId, String ran, List<Finding> findings) throws Exception {
        behaviour.set((w, cmd) -> w.completeWithFindings(cmd, findings, 10, Map.of("tool", ran)));
        worker();
        return awaitRun(admin, trigger(admin, pipeline, assetId), Duration.ofSeconds(30), "completed", "failed");
    }

    @Test
    void aStandInFixesOnlyItsOwnFindingsAndAFindingsSuppressionStaysOnItsAsset() throws Exception {
        String pipeline = pipeline("");
        String a = asset(admin, "repository", "a-" + cap, "https://git.example/a-" + cap);
        String b = asset(admin, "repository", "b-" + cap, "https://git.example/b-" + cap);
        Finding bySemgrep = new Finding("semgrep", "sqli", "SQL injection", "high", "code",
                Finding.Location.code("app.py", 3, 3, "cursor.execute(q % x)"), List.of(), null, null, null);
        Finding lodash = dependency("semgrep", "CVE-2021-23337", "lodash", "4.17.15", "high");
        assertEquals(2, runAs(pipeline, a, "semgrep", List.of(bySemgrep, lodash)).getInt("new_findings_count"));
        assertEquals(1, runAs(pipeline, b, "semgrep", List.of(lodash)).getInt("new_findings_count"));

        // ESLint standing in for semgrep finds nothing: semgrep's findings are not its to fix
        JsonPath standIn = runAs(pipeline, a, "eslint", List.of());
        assertEquals("completed", standIn.getString("status"));
        assertEquals(0, standIn.getInt("fixed_findings_count"), "a stand-in fixed the findings of the tool it replaced");

        // suppressing a's lodash finding leaves b's, the same dependency on another asset, as it is
        String onA = as(admin).get("/api/v1/findings?asset_id=" + a + "&rule_id=CVE-2021-23337").jsonPath()
                .getString("items[0].id");
        as(admin).contentType(ContentType.JSON).body("{\"finding_id\": \"" + onA + "\", \"reason\": \"not reachable\", "
                + "\"owner\": \"appsec\"}").post("/api/v1/suppressions").then().statusCode(201)
                .body("asset_id", org.hamcrest.Matchers.equalTo(a));
        assertEquals(1, runAs(pipeline, a, "semgrep", List.of(bySemgrep, lodash)).getInt("suppressed_findings_count"));
        assertEquals(0, runAs(pipeline, b, "semgrep", List.of(lodash)).getInt("suppressed_findings_count"));
    }
}
