package dev.scanflow.catalog;

import static dev.scanflow.support.Api.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.scanflow.agent.ScanWorker;
import dev.scanflow.agent.WorkerConfig;
import dev.scanflow.support.Api;
import dev.scanflow.support.LocalProcesses;
import dev.scanflow.support.Runs;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Each system template, used and run end to end with the reference worker as configured in
 * examples/worker-local.yaml: real tools against real local targets. What runs here:
 * ESLint + eslint-plugin-security for semgrep, Trivy (CycloneDX inventory, misconfiguration and
 * image scans, offline) for trivy/checkov/syft/grype, secretlint for gitleaks, ffuf for nuclei on
 * web targets, nmap's TLS vulnerability scripts for nuclei on network targets, curl with the
 * OpenAPI parser for swagger, ffuf, nmap and testssl.sh themselves. (semgrep, gitleaks, checkov,
 * nuclei, syft and grype cannot be installed here; their formats are covered by ResultParsersTest.)
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SystemTemplateRunsTest {

    private static final Duration RUN = Duration.ofSeconds(150);

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private String workerId;
    private HttpServer web;
    private Path scratch;
    private final List<String> hooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL base;

    /** Once, at the first test (Quarkus serves requests only from there on). */
    private synchronized void ensureStarted() throws Exception {
        if (web != null) {
            return;
        }
        scratch = Files.createTempDirectory("scanflow-system-runs");
        WorkerConfig shipped = WorkerConfig.load(Path.of("examples/worker-local.yaml"), Map.of());
        workerId = "w-local-" + UUID.randomUUID().toString().substring(0, 8);
        as(admin).contentType("application/json").body(Map.of("worker_id", workerId, "capabilities", shipped.capabilities(),
                "tools", shipped.toolNames(), "max_concurrency", 4)).post("/api/v1/workers").then().statusCode(201);
        WorkerConfig config = new WorkerConfig(workerId, tenant.toString(), shipped.nats(), TestWorker.PREFIX,
                shipped.capabilities(), 4, 1, scratch.toString(), shipped.tools(), null, shipped.configDir());
        ScanWorker worker = new ScanWorker(config).start();
        closeables.add(worker);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                "online".equals(as(admin).get("/api/v1/workers/" + workerId).jsonPath().getString("status")));

        // a web application and API: exposed files, an OpenAPI description, a server error
        web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        Map<String, String> pages = Map.of(
                "/.env", "DB_PASSWORD=hunter2\n",
                "/.git/config", "[core]\n\trepositoryformatversion = 0\n",
                "/health", "{\"status\": \"UP\"}",
                "/openapi.json", """
                        {"openapi": "3.0.3", "info": {"title": "Orders", "version": "2.1"},
                         "servers": [{"url": "http://127.0.0.1/api"}],
                         "paths": {"/orders": {"get": {"responses": {"200": {"description": "ok"}}},
                                               "post": {"responses": {"201": {"description": "ok"}}}},
                                   "/health": {"get": {"responses": {"200": {"description": "ok"}}}}}}
                        """);
        // a notification webhook's receiver
        web.createContext("/hook", exchange -> {
            hooks.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        web.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = pages.getOrDefault(path, "not found").getBytes(StandardCharsets.UTF_8);
            int status = pages.containsKey(path) ? 200 : path.equals("/debug") ? 500 : 404;
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        web.start();
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (web != null) {
            web.stop(0);
        }
        if (scratch == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(scratch)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private String webUrl() throws Exception {
        ensureStarted();
        return "http://127.0.0.1:" + web.getAddress().getPort();
    }

    private String use(String slug, Map<String, Object> overrides) throws Exception {
        ensureStarted();
        Map<String, Object> body = new java.util.LinkedHashMap<>(overrides);
        body.putIfAbsent("name", slug + " " + UUID.randomUUID());
        return as(admin).contentType("application/json").body(body).post("/api/v1/pipeline-templates/" + slug + "/use")
                .then().statusCode(201).extract().path("id");
    }

    private JsonPath runToEnd(String pipeline, String asset) {
        String run = Runs.trigger(admin, pipeline, asset);
        JsonPath done = Runs.awaitRun(admin, run, RUN, "completed", "failed");
        if (!"completed".equals(done.getString("status"))) {
            StringBuilder logs = new StringBuilder(done.prettify());
            for (String stepId : done.<String>getList("step_runs.step_id")) {
                logs.append("\n--- ").append(stepId).append('\n').append(String.join("\n", as(admin)
                        .get("/api/v1/pipeline-runs/" + run + "/steps/" + stepId + "/logs").jsonPath().<String>getList("items.line")));
            }
            org.junit.jupiter.api.Assertions.fail("run " + run + " " + done.getString("status") + ":\n" + logs);
        }
        return done;
    }

    private static JsonPath step(JsonPath run, String id) {
        return new JsonPath(run.prettify()).setRootPath("step_runs.find { it.step_id == '" + id + "' }");
    }

    private void ranHere(JsonPath run, String stepId, String tool, String substitutedFor) {
        JsonPath s = step(run, stepId);
        assertEquals("completed", s.getString("status"), stepId + ": " + run.prettify());
        assertEquals(workerId, s.getString("worker_id"), stepId);
        assertEquals(tool, s.getString("output.tool"), stepId);
        assertEquals(substitutedFor, s.getString("output.substituted_for"), stepId);
    }

    private static void skippedByItsCondition(JsonPath run, String stepId) {
        JsonPath s = step(run, stepId);
        assertEquals("skipped", s.getString("status"), stepId);
        assertTrue(s.getString("skip_reason").startsWith("Condition not met"), s.getString("skip_reason"));
    }

    /** The planted repository as a git repository, as a repository asset's url names it. */
    private String plantedRepository() throws Exception {
        ensureStarted();
        Path repo = Files.createTempDirectory(scratch, "planted-repo");
        try (Stream<Path> files = Files.walk(Path.of("examples/planted-repo"))) {
            for (Path f : files.toList()) {
                Path to = repo.resolve(Path.of("examples/planted-repo").relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        exec(repo, "git", "init", "--quiet", "--initial-branch=main");
        exec(repo, "git", "-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".");
        exec(repo, "git", "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "--quiet", "-m", "planted");
        return repo.toUri().toString(); // file:///...
    }

    private static void exec(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir == null ? null : dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + out);
    }

    @Test
    void fullSecurityScanOfAWebApplicationRunsOnlyTheDynamicScan() throws Exception {
        String asset = Runs.asset(admin, "web_application", "shop-" + UUID.randomUUID(), webUrl());
        JsonPath run = runToEnd(use("full-security-scan", Map.of()), asset);
        for (String s : List.of("sast", "sca", "secrets", "iac")) {
            skippedByItsCondition(run, s);
        }
        ranHere(run, "dast", "ffuf", "nuclei");
        assertEquals(2, step(run, "dast").getInt("findings_count"));
        assertEquals(2, step(run, "dast").getInt("findings_by_severity.medium"));
        assertTrue(step(run, "dast").getList("output.paths").containsAll(List.of("/.env", "/.git/config")));
    }

    @Test
    void apiSecurityDiscoversTheApiThenScansAndFuzzesIt() throws Exception {
        String asset = Runs.asset(admin, "api", "orders-" + UUID.randomUUID(), webUrl());
        JsonPath run = runToEnd(use("api-security", Map.of()), asset);
        ranHere(run, "api_discovery", "swagger", null);
        assertEquals(3, step(run, "api_discovery").getInt("output.endpoint_count"));
        assertEquals(List.of("GET /orders", "POST /orders", "GET /health"), step(run, "api_discovery").getList("output.operations"));
        // no security scheme, a plain-HTTP server, three open operations
        assertEquals(5, step(run, "api_discovery").getInt("findings_count"));
        ranHere(run, "api_scan", "ffuf", "nuclei");
        ranHere(run, "fuzzing", "ffuf", null);
        List<String> found = step(run, "fuzzing").getList("output.paths");
        assertTrue(found.containsAll(List.of("/health", "/openapi.json", "/debug")), found.toString());
        assertEquals(1, step(run, "fuzzing").getInt("findings_by_severity.medium"), "the 500 of /debug");
    }

    @Test
    void infrastructureScanChecksTlsOnlyWhereThePortScanFoundIt() throws Exception {
        ensureStarted();
        Path cert = scratch.resolve("cert.pem");
        Path key = scratch.resolve("key.pem");
        exec(scratch, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-keyout", key.toString(), "-out", cert.toString());
        int tls = LocalProcesses.freePort();
        Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + tls, "-cert", cert.toString(),
                "-key", key.toString(), "-www", "-quiet").redirectErrorStream(true)
                .redirectOutput(scratch.resolve("s_server.log").toFile()).start();
        closeables.add(server::destroyForcibly);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (var s = new java.net.Socket("127.0.0.1", tls)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        int http = web.getAddress().getPort();
        String pipeline = use("infrastructure-scan", Map.of("steps", Map.of("port_scan",
                Map.of("config", Map.of("ports", tls + "," + http)))));
        String asset = Runs.asset(admin, "server", "127.0.0.1", null);
        JsonPath run = runToEnd(pipeline, asset);

        ranHere(run, "port_scan", "nmap", null);
        assertEquals(List.of(http, tls).stream().sorted().toList(), step(run, "port_scan").getList("output.open_ports"));
        assertEquals(List.of(tls), step(run, "port_scan").getList("output.tls_ports"));
        ranHere(run, "vuln_scan", "nmap", "nuclei");
        ranHere(run, "ssl_check", "testssl", null);
        // a self-signed certificate, and openssl's defaults: testssl finds something
        assertTrue(step(run, "ssl_check").getInt("findings_count") > 0, run.prettify());
        String logs = String.join("\n", as(admin).get("/api/v1/pipeline-runs/" + run.getString("id") + "/steps/ssl_check/logs")
                .jsonPath().getList("items.line"));
        assertTrue(logs.contains("127.0.0.1:" + tls), logs);

        // a host without a TLS port: the TLS check is skipped by its condition
        String plain = use("infrastructure-scan", Map.of("steps", Map.of("port_scan", Map.of("config", Map.of("ports", http)))));
        JsonPath second = runToEnd(plain, asset);
        skippedByItsCondition(second, "ssl_check");
        ranHere(second, "vuln_scan", "nmap", "nuclei");
    }

    @Test
    void containerSecurityScansAnImageAndItsSbom() throws Exception {
        ensureStarted();
        Path image = scratch.resolve("planted-image.tar");
        exec(null, "bash", "src/test/resources/images/make-planted-image.sh", image.toString());
        String asset = as(admin).contentType("application/json").body(Map.of("type", "container_image",
                        "name", "planted:1.0-" + UUID.randomUUID().toString().substring(0, 6), "url", image.toUri().toString()))
                .post("/api/v1/assets").then().statusCode(201).extract().path("id");
        JsonPath run = runToEnd(use("container-security", Map.of()), asset);
        ranHere(run, "container_scan", "trivy", null);
        assertTrue(step(run, "container_scan").getList("output.rules").contains("slack-access-token"), run.prettify());
        ranHere(run, "sbom_generation", "trivy", "syft");
        assertEquals(4, step(run, "sbom_generation").getInt("output.component_count"));
        ranHere(run, "vulnerability_check", "trivy", "grype");
    }

    @Test
    void continuousMonitoringRunsItsTwoQuickChecks() throws Exception {
        String asset = Runs.asset(admin, "repository", "monitored-" + UUID.randomUUID(), plantedRepository());
        JsonPath run = runToEnd(use("continuous-monitoring", Map.of()), asset);
        ranHere(run, "quick_sast", "eslint", "semgrep");
        ranHere(run, "sca_critical", "trivy", null);
        assertTrue(step(run, "quick_sast").getInt("findings_count") >= 3, run.prettify());
    }

    /** The scanflow CLI against this service: its exit code, and what it printed on stdout (and stderr after it). */
    private String[] cli(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = dev.scanflow.cli.ScanflowCli.commandLine(Map.of("SCANFLOW_URL", base.toString(), "SCANFLOW_TOKEN", admin),
                new java.io.PrintWriter(out), new java.io.PrintWriter(err)).execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    private static void commit(Path repo, String message) throws Exception {
        exec(repo, "git", "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "--quiet", "-am", message);
    }

    /** What the run made of its findings: "change rule file:line" per finding, sorted. */
    private java.util.SortedSet<String> changes(String runId, String change) {
        List<Map<String, Object>> items = as(admin).get("/api/v1/pipeline-runs/" + runId + "/findings?limit=1000&change="
                + change).then().statusCode(200).extract().jsonPath().getList("items");
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        for (Map<String, Object> i : items) {
            @SuppressWarnings("unchecked")
            Map<String, Object> at = (Map<String, Object>) i.get("location");
            out.add(i.get("rule_id") + " " + at.get("file") + ":" + at.get("start_line"));
        }
        return out;
    }

    /**
     * The nightly Full Security Scan of issue 23 with the real tools: the first run finds the
     * planted problems (each tool's, run by the stand-ins); ten lines inserted above every match
     * change nothing; one problem removed is exactly one finding fixed, put back it is
     * reopened; and the notification, the CLI's --new-only gate and the SARIF say so.
     */
    @Test
    void theNightlyScanSaysExactlyWhatIsNewAndWhatIsFixed(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String url = plantedRepository();
        Path repo = Path.of(java.net.URI.create(url));
        as(admin).contentType("application/json").body(Map.of("name", "nightly", "type", "webhook", "url",
                webUrl() + "/hook")).post("/api/v1/notification-channels").then().statusCode(201);
        String pipeline = use("full-security-scan", Map.of("settings", Map.of("notification",
                Map.of("on_completion", true, "on_failure", true, "channels", List.of("nightly")))));
        String asset = Runs.asset(admin, "repository", "nightly-" + UUID.randomUUID(), url);

        JsonPath first = runToEnd(pipeline, asset);
        // what each tool found in the planted repository, and what ran it
        ranHere(first, "sast", "eslint", "semgrep");
        assertTrue(step(first, "sast").getInt("findings_count") >= 3, first.prettify());
        assertEquals(List.of("server.js"), step(first, "sast").getList("output.files"));
        assertTrue(step(first, "sast").getList("output.rules").contains("security/detect-child-process"));

        ranHere(first, "sca", "trivy", null);
        assertTrue(step(first, "sca").getList("output.components").contains("pkg:npm/lodash@4.17.15"), first.prettify());

        ranHere(first, "secrets", "secretlint", "gitleaks");
        assertTrue(step(first, "secrets").getInt("findings_count") >= 2, first.prettify());
        assertEquals(List.of("config.js"), step(first, "secrets").getList("output.files"));

        ranHere(first, "iac", "trivy", "checkov");
        assertTrue(step(first, "iac").getList("output.files").containsAll(List.of("Dockerfile", "k8s/deployment.yaml")),
                first.prettify());
        assertTrue(step(first, "iac").getInt("findings_by_severity.high") >= 1, first.prettify());

        skippedByItsCondition(first, "dast");
        int sum = Stream.of("sast", "sca", "secrets", "iac").mapToInt(s -> step(first, s).getInt("findings_count")).sum();
        assertEquals(sum, first.getInt("total_findings"));
        int all = first.getInt("new_findings_count");
        assertTrue(all >= 5, first.prettify());
        assertEquals(0, first.getInt("fixed_findings_count"));
        assertEquals(first.getInt("total_findings"), all + first.getInt("unchanged_findings_count"),
                "every finding of the first run is new (or a duplicate of another tool's)");

        // ten lines above every match of server.js: nothing new, nothing fixed
        Path server = repo.resolve("server.js");
        String original = Files.readString(server);
        Files.writeString(server, "// a header\n".repeat(10) + original);
        commit(repo, "a header");
        JsonPath shifted = runToEnd(pipeline, asset);
        assertEquals(0, shifted.getInt("new_findings_count"), changes(shifted.getString("id"), "new").toString());
        assertEquals(0, shifted.getInt("fixed_findings_count"), changes(shifted.getString("id"), "fixed").toString());
        java.util.SortedSet<String> evalFindings = new java.util.TreeSet<>(changes(shifted.getString("id"), "unchanged")
                .stream().filter(f -> f.endsWith("server.js:16")).toList()); // the eval line, ten lines down
        assertTrue(!evalFindings.isEmpty(), changes(shifted.getString("id"), "unchanged").toString());
        assertEquals("0", cli("runs", "watch", shifted.getString("id"), "--fail-on", "info", "--new-only")[0],
                "nothing new: the gate passes");
        assertEquals("1", cli("runs", "watch", shifted.getString("id"), "--fail-on", "info")[0],
                "without --new-only the findings that were already there fail it");

        // the eval removed: exactly its findings fixed
        Files.writeString(server, Files.readString(server).replace("  res.end(eval(q.get(\"expr\")));\n", ""));
        commit(repo, "no eval");
        JsonPath removed = runToEnd(pipeline, asset);
        assertEquals(0, removed.getInt("new_findings_count"), changes(removed.getString("id"), "new").toString());
        assertEquals(evalFindings, changes(removed.getString("id"), "fixed"));
        assertEquals(evalFindings.size(), removed.getInt("fixed_findings_count"));
        String[] sarif = cli("runs", "findings", removed.getString("id"), "--format", "sarif", "--change", "fixed");
        assertEquals("0", sarif[0], sarif[2]);
        assertEquals(List.of(), dev.scanflow.support.SarifValidator.errors(dir,
                sarif[1].getBytes(StandardCharsets.UTF_8)));
        com.fasterxml.jackson.databind.JsonNode log = new com.fasterxml.jackson.databind.ObjectMapper().readTree(sarif[1]);
        List<String> states = new ArrayList<>();
        log.path("runs").forEach(r -> r.path("results").forEach(x -> states.add(x.path("baselineState").asText())));
        assertEquals(java.util.Collections.nCopies(evalFindings.size(), "absent"), states);

        // and put back: reopened, and the gate fails on it
        Files.writeString(server, Files.readString(server).replace("  exec(", "  res.end(eval(q.get(\"expr\")));\n  exec("));
        commit(repo, "eval again");
        JsonPath back = runToEnd(pipeline, asset);
        assertEquals(evalFindings.size(), back.getInt("new_findings_count"));
        assertEquals(evalFindings.stream().map(f -> f.replace("server.js:16", "server.js:15")).collect(
                java.util.stream.Collectors.toCollection(java.util.TreeSet::new)), changes(back.getString("id"), "reopened"),
                "the same findings, one line up (the line it came back to)");
        assertEquals(0, changes(back.getString("id"), "new").size());
        String[] gate = cli("runs", "watch", back.getString("id"), "--fail-on", "info", "--new-only");
        assertEquals("1", gate[0]);
        assertTrue(gate[2].contains(evalFindings.size() + " new findings at or above info"), gate[2]);

        // each run's notification said what changed
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> hooks.size() >= 4);
        Map<String, String> said = new java.util.HashMap<>();
        for (String body : hooks) {
            com.fasterxml.jackson.databind.JsonNode data = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body)
                    .path("data");
            said.put(data.path("run_id").asText(), data.path("changes").asText());
        }
        assertEquals("0 new, 0 fixed, " + shifted.getInt("unchanged_findings_count") + " unchanged",
                said.get(shifted.getString("id")));
        assertTrue(said.get(removed.getString("id")).startsWith("0 new, " + evalFindings.size() + " fixed, "),
                said.get(removed.getString("id")));
        assertTrue(said.get(back.getString("id")).startsWith(evalFindings.size() + " new ("),
                said.get(back.getString("id")));
    }
}
