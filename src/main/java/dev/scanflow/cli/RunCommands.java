package dev.scanflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code scanflow run}, {@code runs} and {@code logs}: starting, following and reading runs. */
final class RunCommands {

    private RunCommands() {
    }

    @Command(name = "run", description = "Run a pipeline on an asset; with --wait, follow it and fail on its outcome")
    static final class Run extends CommandBase {
        @Parameters(paramLabel = "PIPELINE", description = "id or name")
        String pipeline;

        @Option(names = "--asset", required = true, description = "the asset's id or name")
        String asset;

        @Option(names = "--context", description = "k=v added to the run's context (repeatable)")
        Map<String, String> context = new LinkedHashMap<>();

        @Option(names = "--priority", description = "critical, high, normal or low")
        String priority;

        @Option(names = "--wait", description = "follow the run until it ends; exit 1 if it does not complete")
        boolean await;

        @Option(names = "--fail-on", paramLabel = "SEVERITY",
                description = "with --wait: exit 1 when the run has findings of this severity or worse (critical, high, medium, low, info);"
                        + " findings without a severity count as unknown and trip every threshold")
        String failOn;

        @Option(names = "--new-only", description = "with --fail-on: count only findings new to the asset (or reopened) "
                + "since its last runs; suppressed findings never count")
        boolean newOnly;

        @Override
        public Integer call() throws InterruptedException {
            if (failOn != null && !SEVERITIES.contains(failOn.toLowerCase())) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--fail-on must be one of " + SEVERITIES);
            }
            ObjectNode body = Api.JSON.createObjectNode();
            body.put("asset_id", assetId(asset));
            if (!context.isEmpty()) {
                ObjectNode ctx = body.putObject("context");
                context.forEach(ctx::put);
            }
            if (priority != null) {
                body.put("priority", priority);
            }
            JsonNode run = api().send("POST", "/api/v1/pipelines/" + pipelineId(pipeline) + "/run",
                    body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json").body();
            String id = run.path("id").asText();
            if (!await) {
                print(run, RUN_COLUMNS);
                return 0;
            }
            JsonNode end = Watch.follow(api(), id, out(), System.console() != null);
            return Watch.verdict(end, failOn, newOnly, spec.commandLine().getErr());
        }

        private String assetId(String nameOrId) {
            if (nameOrId.matches("[0-9a-fA-F-]{36}")) {
                return nameOrId;
            }
            for (JsonNode a : api().get("/api/v1/assets?limit=200").path("items")) {
                if (a.path("name").asText().equals(nameOrId)) {
                    return a.path("id").asText();
                }
            }
            throw new CommandLine.ParameterException(spec.commandLine(), "no asset named '" + nameOrId + "'");
        }
    }

    // ------------------------------------------------------------------ runs

    @Command(name = "runs", description = "Pipeline runs",
            subcommands = {Runs.List.class, Runs.Get.class, Runs.Cancel.class, Runs.Retry.class, Runs.WatchRun.class,
                    FindingCommands.RunFindings.class})
    static final class Runs {

        @Command(name = "list", description = "Runs, newest first")
        static final class List extends CommandBase {
            @Option(names = "--status", description = "one or more, comma-separated (e.g. failed,timeout)")
            String status;

            @Option(names = "--pipeline", description = "the pipeline's id or name")
            String pipeline;

            @Override
            public Integer call() {
                StringBuilder q = new StringBuilder("/api/v1/pipeline-runs?limit=50");
                if (status != null) {
                    q.append("&status=").append(Api.q(status));
                }
                if (pipeline != null) {
                    q.append("&pipeline_id=").append(pipelineId(pipeline));
                }
                print(api().get(q.toString()), RUN_COLUMNS);
                return 0;
            }
        }

        @Command(name = "get", description = "A run with its steps")
        static final class Get extends CommandBase {
            @Parameters(paramLabel = "RUN")
            String run;

            @Override
            public Integer call() {
                JsonNode r = api().get("/api/v1/pipeline-runs/" + run);
                if (root().output == Output.Format.table) {
                    out().println(Watch.table(r));
                    out().flush();
                } else {
                    print(r, RUN_COLUMNS);
                }
                return 0;
            }
        }

        @Command(name = "cancel", description = "Cancel a run")
        static final class Cancel extends CommandBase {
            @Parameters(paramLabel = "RUN")
            String run;

            @Override
            public Integer call() {
                print(api().send("POST", "/api/v1/pipeline-runs/" + run + "/cancel", null, null).body(), RUN_COLUMNS);
                return 0;
            }
        }

        @Command(name = "retry", description = "Retry a run's failed steps")
        static final class Retry extends CommandBase {
            @Parameters(paramLabel = "RUN")
            String run;

            @Override
            public Integer call() {
                print(api().send("POST", "/api/v1/pipeline-runs/" + run + "/retry", null, null).body(), RUN_COLUMNS);
                return 0;
            }
        }

        @Command(name = "watch", description = "Follow a run until it ends (exit 1 if it does not complete)")
        static final class WatchRun extends CommandBase {
            @Parameters(paramLabel = "RUN")
            String run;

            @Option(names = "--fail-on", paramLabel = "SEVERITY", description = "exit 1 on findings of this severity or worse; findings without a severity trip every threshold")
            String failOn;

            @Option(names = "--new-only", description = "with --fail-on: count only findings new to the asset (or reopened)")
            boolean newOnly;

            @Override
            public Integer call() throws InterruptedException {
                JsonNode end = Watch.follow(api(), run, out(), System.console() != null);
                return Watch.verdict(end, failOn, newOnly, spec.commandLine().getErr());
            }
        }
    }

    // ------------------------------------------------------------------ logs

    @Command(name = "logs", description = "A step's log lines; --follow prints new ones until the step ends")
    static final class Logs extends CommandBase {
        @Parameters(index = "0", paramLabel = "RUN")
        String run;

        @Parameters(index = "1", paramLabel = "STEP")
        String step;

        @Option(names = {"-f", "--follow"})
        boolean follow;

        @Override
        public Integer call() throws InterruptedException {
            Set<String> seen = new HashSet<>();
            String base = "/api/v1/pipeline-runs/" + run + "/steps/" + Api.q(step);
            while (true) {
                String cursor = null;
                do {
                    JsonNode page = api().get(base + "/logs?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor));
                    for (JsonNode l : page.path("items")) {
                        if (seen.add(l.path("command_id").asText() + "/" + l.path("seq").asText())) {
                            out().println(l.path("line").asText());
                        }
                    }
                    cursor = page.path("next_cursor").isTextual() ? page.get("next_cursor").asText() : null;
                } while (cursor != null);
                out().flush();
                String status = api().get(base).path("status").asText();
                if (!follow || ENDED.contains(status) || "skipped".equals(status)) {
                    return 0;
                }
                Thread.sleep(1000);
            }
        }
    }
}
