package dev.scanflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every scanflow command once, against the running service, as a CI job would call them (no terminal). */
@QuarkusTest
class CliTest {

    @TestHTTPResource("/")
    URL base;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    record Result(int code, String out, String err) {
    }

    private Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ScanflowCli.commandLine(Map.of("SCANFLOW_URL", base.toString(), "SCANFLOW_TOKEN", admin),
                new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private Result ok(String... args) {
        Result r = cli(args);
        assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.out() + r.err());
        return r;
    }

    @Test
    void applyIsIdempotentAndTheReadCommandsShowWhatItMade() throws Exception {
        Path dir = Files.createTempDirectory("cli");
        Files.copy(Path.of("src/test/resources/cli/pipeline.yaml"), dir.resolve("pipeline.yaml"));
        Files.copy(Path.of("src/test/resources/cli/asset.yaml"), dir.resolve("asset.yaml"));
        String first = ok("apply", "-f", dir.toString()).out();
        assertTrue(first.contains("pipeline cli-scan: created (version 1)"), first);
        assertTrue(first.contains("asset cli-repo: created"), first);
        String second = ok("apply", "-f", dir.toString()).out();
        assertTrue(second.contains("pipeline cli-scan: unchanged (version 1)") && second.contains("asset cli-repo: unchanged"),
                second);
        assertTrue(ok("pipelines", "list").out().contains("cli-scan"));
        String get = ok("pipelines", "get", "cli-scan").out();
        assertTrue(get.contains("STEP") && get.contains("semgrep"), get);
        assertTrue(ok("-o", "json", "pipelines", "get", "cli-scan").out().contains("\"depends_on\""));
        assertTrue(ok("-o", "yaml", "pipelines", "versions", "cli-scan").out().contains("version: 1"));
        String templates = ok("templates", "list").out();
        assertTrue(templates.contains("full-security-scan") && templates.contains("RUNNABLE"), templates);
        assertTrue(ok("templates", "use", "api-security", "--name", "cli-api").out().contains("api-security"));
        assertTrue(ok("pipelines", "delete", "cli-api").out().contains("deactivated"));
    }

    @Test
    void applyOfTheExamplesDirectorySkipsTheWorkerConfigurationsAndRunsTwice() {
        // docs/cli.md's own example: examples/ holds templates and worker configurations side by side
        String first = ok("apply", "-f", "examples").out();
        assertTrue(first.contains("pipeline Full Security Scan: created (version 1)"), first);
        assertTrue(first.contains("pipeline Infrastructure Scan: created (version 1)"), first);
        assertTrue(first.contains("skipped examples/worker.yaml: not a pipeline template (no steps) or an asset (no type)"),
                first);
        assertTrue(first.contains("skipped examples/worker-local.yaml"), first);
        String second = ok("apply", "-f", "examples").out();
        assertTrue(second.contains("pipeline Full Security Scan: unchanged (version 1)"), second);
        assertTrue(second.contains("pipeline Infrastructure Scan: unchanged (version 1)"), second);
    }

    @Test
    void applyFailuresNameTheFile() throws Exception {
        Path dir = Files.createTempDirectory("cli");
        Files.writeString(dir.resolve("a-asset.yaml"), "type: spaceship\nname: x\n");
        Result refused = cli("apply", "-f", dir.toString());
        assertEquals(3, refused.code(), refused.out() + refused.err());
        assertTrue(refused.err().contains("scanflow: " + dir.resolve("a-asset.yaml") + ": "), refused.err());
        assertTrue(refused.err().contains("$.type: unknown asset type 'spaceship'"), refused.err());

        Path unreadable = dir.resolve("broken.yaml");
        Files.writeString(unreadable, "name: [unclosed\n");
        Result broken = cli("apply", "-f", unreadable.toString());
        assertEquals(2, broken.code(), broken.out() + broken.err());
        assertTrue(broken.err().contains(unreadable + ": not YAML or JSON"), broken.err());

        Path worker = dir.resolve("worker.yaml");
        Files.writeString(worker, "worker_id: w-1\ncapabilities: [sast]\n");
        Result notOurs = cli("apply", "-f", worker.toString());
        assertEquals(2, notOurs.code(), "a file named on its own must be a template or an asset: " + notOurs.err());
        assertTrue(notOurs.err().contains(worker + ": not a pipeline template (no steps) or an asset (no type)"),
                notOurs.err());
    }

    @Test
    void runWaitFollowsWithALinePerChangeAndFailOnDecidesTheExitCode() throws Exception {
        try (TestWorker w = TestWorker.dedicated(tenant, "sast", "semgrep")) {
            w.onScan((worker, cmd) -> worker.complete(cmd, 3, Map.of()));
            Path dir = Files.createTempDirectory("cli");
            Files.copy(Path.of("src/test/resources/cli/pipeline.yaml"), dir.resolve("pipeline.yaml"));
            Files.copy(Path.of("src/test/resources/cli/asset.yaml"), dir.resolve("asset.yaml"));
            ok("apply", "-f", dir.toString());
            // the tests' worker rates all its findings high: --fail-on critical passes, --fail-on medium fails
            Result run = ok("run", "cli-scan", "--asset", "cli-repo", "--context", "branch=main", "--wait", "--fail-on", "critical");
            assertTrue(run.out().matches("(?s)\\d\\d:\\d\\d:\\d\\d run .*"), run.out());
            Result strict = cli("run", "cli-scan", "--asset", "cli-repo", "--wait", "--fail-on", "medium");
            assertEquals(1, strict.code(), strict.out() + strict.err());
            assertTrue(strict.err().contains("3 findings at or above medium (--fail-on)"), strict.err());
            assertTrue(run.out().contains("step sast completed 3 findings"), run.out());
            assertTrue(run.out().contains("step dast skipped: Condition not met"), run.out());
            w.onScan((worker, cmd) -> worker.complete(cmd, 2, Map.of()));
            String runId = ok("-o", "json", "run", "cli-scan", "--asset", "cli-repo").out().replaceAll("(?s).*\"id\" : \"([^\"]+)\".*", "$1");
            assertEquals(0, cli("runs", "watch", runId).code());
            assertTrue(ok("runs", "list", "--status", "completed,failed").out().contains(runId));
            assertTrue(ok("runs", "get", runId).out().contains("COMPLETED"));
            assertTrue(ok("logs", runId, "sast").code() == 0);
            assertEquals(0, cli("logs", runId, "sast", "--follow").code(), "a finished step: --follow ends");
            assertEquals(3, cli("runs", "cancel", runId).code(), "a finished run cannot be cancelled: the API's 409");
            // a failing step: --wait exits 1
            w.onScan((worker, cmd) -> worker.fail(cmd, "EXIT_2", "semgrep crashed"));
            Result failed = cli("run", "cli-scan", "--asset", "cli-repo", "--wait");
            assertEquals(1, failed.code(), failed.out() + failed.err());
            assertTrue(failed.err().contains("failed"), failed.err());
            String failedId = failed.out().lines().filter(l -> l.startsWith("Run ")).findFirst().orElseThrow().split(" ")[1];
            w.onScan((worker, cmd) -> worker.complete(cmd, 1, Map.of()));
            assertTrue(ok("runs", "retry", failedId).out().contains(failedId));
            assertTrue(ok("workers", "list").out().contains(w.id()));
            assertTrue(ok("workers", "drain", w.id()).out().contains("draining"));
            assertTrue(ok("workers", "resume", w.id()).out().contains("online"));
        }
    }

    @Test
    void errorsPrintTheProblemNeverAStackTrace() throws Exception {
        Path bad = Files.createTempFile("bad", ".yaml");
        Files.writeString(bad, "name: broken\nsteps:\n  - {id: a, capabilities: [], timeout: soon}\n");
        Result r = cli("apply", "-f", bad.toString());
        assertEquals(3, r.code());
        assertTrue(r.err().contains("scanflow: " + bad + ": Invalid pipeline template (422)"), r.err());
        assertTrue(r.err().contains("$.steps[0].capabilities:") && r.err().contains("$.steps[0].timeout:"), r.err());
        assertFalse(r.err().contains("at dev.scanflow"), r.err());
        assertEquals(2, cli("run", "cli-scan").code(), "--asset is required");
        assertEquals(2, cli("run", "nope", "--asset", "x", "--wait", "--fail-on", "severe").code());
        Result unreachable = ScanflowCli.commandLine(Map.of("SCANFLOW_URL", "http://127.0.0.1:1", "SCANFLOW_TOKEN", admin),
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())).execute("pipelines", "list") == 4
                ? new Result(4, "", "") : new Result(-1, "", "");
        assertEquals(4, unreachable.code());
        Result help = ok("--help");
        assertTrue(help.out().contains("Exit codes:"), help.out());
    }
}
