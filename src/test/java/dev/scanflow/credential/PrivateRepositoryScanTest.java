package dev.scanflow.credential;

import static dev.scanflow.support.Api.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.agent.GitHttpServer;
import dev.scanflow.agent.ScanWorker;
import dev.scanflow.agent.WorkerConfig;
import dev.scanflow.support.Api;
import dev.scanflow.support.Runs;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, the two sides of scan credentials together: the service hands the reference worker
 * (examples/worker-local.yaml, real tools) the token of a private repository served by a real
 * `git http-backend` that refuses anyone without it; the scan runs, and the token appears in no
 * log line, no stored command and no answer.
 */
@QuarkusTest
class PrivateRepositoryScanTest {

    private static final Duration RUN = Duration.ofSeconds(120);

    @Inject
    Pool pool;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    @TempDir
    Path tmp;

    @Test
    void aPrivateRepositoryIsScannedWithItsCredentialAndTheTokenLeaksNowhere() throws Exception {
        String token = "ghp_" + UUID.randomUUID().toString().replace("-", "");
        Path root = Files.createDirectories(tmp.resolve("git"));
        GitHttpServer.bareRepository(root, "private.git", tmp.resolve("origin"),
                Map.of("config.js", "module.exports = { slackToken: \"xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1\" };\n"));
        WorkerConfig shipped = WorkerConfig.load(Path.of("examples/worker-local.yaml"), Map.of());
        String workerId = "w-private-" + UUID.randomUUID().toString().substring(0, 8);
        as(admin).contentType("application/json").body(Map.of("worker_id", workerId, "capabilities", shipped.capabilities(),
                "tools", shipped.toolNames(), "max_concurrency", 1)).post("/api/v1/workers").then().statusCode(201);
        WorkerConfig config = new WorkerConfig(workerId, tenant.toString(), shipped.nats(), TestWorker.PREFIX,
                shipped.capabilities(), 1, 1, Files.createDirectories(tmp.resolve("work")).toString(), shipped.tools(), null,
                shipped.configDir());
        try (GitHttpServer git = new GitHttpServer(root, token, 0); ScanWorker worker = new ScanWorker(config).start()) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                    "online".equals(as(admin).get("/api/v1/workers/" + workerId).jsonPath().getString("status")));
            as(admin).contentType("application/json").body(Map.of("name", "private-git", "kind", "git_token",
                            "value", token, "scope", List.of("127.0.0.1")))
                    .post("/api/v1/credentials").then().statusCode(201);
            String asset = as(admin).contentType("application/json").body(Map.of("type", "repository",
                            "name", "acme/private", "url", git.url("private.git"), "credentials", List.of("private-git")))
                    .post("/api/v1/assets").then().statusCode(201).extract().path("id");
            String pipeline = Runs.template(admin, "name: private secrets\nsteps:\n  - id: secrets\n    tool: gitleaks\n"
                    + "    capabilities: [secrets]\n");
            String runId = Runs.trigger(admin, pipeline, asset);
            JsonPath run = Runs.awaitRun(admin, runId, RUN, "completed", "failed");
            assertEquals("completed", run.getString("status"), run.prettify());
            // the clone needed the token: the server refused first, then let the worker in
            assertTrue(git.requests.stream().anyMatch(r -> r.endsWith(" 401")), git.requests.toString());
            assertTrue(git.requests.stream().anyMatch(r -> r.endsWith(" 200")), git.requests.toString());
            assertTrue(run.getList("step_runs[0].output.files").contains("config.js"), run.prettify());

            String logs = String.join("\n", as(admin).get("/api/v1/pipeline-runs/" + runId + "/steps/secrets/logs")
                    .jsonPath().getList("items.line"));
            assertTrue(logs.contains("credentials: private-git (git_token, checkout)"), logs);
            assertFalse(logs.contains(token), logs);
            assertFalse(run.prettify().contains(token));
            String commands = pool.preparedQuery("SELECT string_agg(payload::text, ' ') AS payloads FROM commands WHERE run_id = $1")
                    .execute(Tuple.of(UUID.fromString(runId))).await().atMost(Duration.ofSeconds(10))
                    .iterator().next().getString("payloads");
            assertTrue(commands.contains("private-git"), commands);
            assertFalse(commands.contains(token), commands);
        }
    }
}
