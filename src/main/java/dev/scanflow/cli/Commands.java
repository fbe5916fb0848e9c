package dev.scanflow.cli;

import static dev.scanflow.cli.Output.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** The {@code scanflow} subcommands. */
final class Commands {

    static final List<String> SEVERITIES = List.of("critical", "high", "medium", "low", "info");
    static final Set<String> ENDED = Set.of("completed", "failed", "cancelled", "timeout");
    static final List<Output.Column> PIPELINE_COLUMNS = List.of(col("ID", "id"), col("NAME", "name"),
            col("VERSION", "version"), col("ACTIVE", "is_active"), col("TEMPLATE", "derived_from.slug"));
    static final List<Output.Column> RUN_COLUMNS = List.of(col("ID", "id"), col("PIPELINE", "pipeline_name"),
            col("STATUS", "status"), col("TRIGGER", "trigger_type"), col("FINDINGS", "total_findings"),
            col("CREATED", "created_at"));

    private Commands() {
    }

    /** What every command has: the root's connection and output settings. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        ScanflowCli root() {
            return (ScanflowCli) spec.root().userObject();
        }

        Api api() {
            return root().api();
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        void print(JsonNode node, List<Output.Column> columns) {
            Output.print(out(), root().output, node, columns);
        }

        /** A pipeline by id, or by its exact name. */
        String pipelineId(String nameOrId) {
            if (nameOrId.matches("[0-9a-fA-F-]{36}")) {
                return nameOrId;
            }
            for (JsonNode p : api().get("/api/v1/pipelines?limit=200&name=" + Api.q(nameOrId)).path("items")) {
                if (p.path("name").asText().equalsIgnoreCase(nameOrId)) {
                    return p.path("id").asText();
                }
            }
            throw new CommandLine.ParameterException(spec.commandLine(), "no pipeline named '" + nameOrId + "'");
        }
    }

    // ------------------------------------------------------------------ apply

    @Command(name = "apply", description = "Create or update templates and assets from files (idempotent: "
            + "an unchanged file changes nothing). In a directory, files that are neither (worker configurations) "
            + "are skipped")
    static final class Apply extends Base {
        @Option(names = {"-f", "--file"}, required = true, description = "a YAML or JSON file, or a directory of them")
        Path file;

        @Override
        public Integer call() throws IOException {
            boolean directory = Files.isDirectory(file);
            List<Path> files = new ArrayList<>();
            if (directory) {
                try (Stream<Path> s = Files.list(file)) {
                    s.filter(p -> p.toString().matches(".*\\.(ya?ml|json)$")).sorted().forEach(files::add);
                }
            } else {
                files.add(file);
            }
            if (files.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no .yaml, .yml or .json file in " + file);
            }
            for (Path f : files) {
                JsonNode doc = read(f);
                String kind = kind(doc);
                if (kind == null) {
                    String why = f + ": not a pipeline template (no steps) or an asset (no type)";
                    if (!directory) {
                        throw new CommandLine.ParameterException(spec.commandLine(), why);
                    }
                    out().println("skipped " + why);
                    continue;
                }
                boolean pipeline = kind.equals("pipeline");
                String json = Api.JSON.writeValueAsString(doc);
                Api.Answer a;
                try {
                    a = api().send("PUT", pipeline ? "/api/v1/pipelines:apply" : "/api/v1/assets:apply",
                            json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
                } catch (Api.Failure e) {
                    throw e.about(f.toString());
                }
                out().println(kind + " " + a.body().path("name").asText() + ": "
                        + a.header("Scanflow-Apply") + (pipeline ? " (version " + a.body().path("version").asText() + ")" : "")
                        + "  " + a.body().path("id").asText() + "  [" + f.getFileName() + "]");
            }
            out().flush();
            return 0;
        }

        private JsonNode read(Path f) {
            try {
                return new YAMLMapper().readTree(Files.readAllBytes(f));
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        f + ": not YAML or JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }

        /** "pipeline" (a document with steps), "asset" (one with a type), or null: not a Scanflow document. */
        private static String kind(JsonNode doc) {
            if (doc == null || !doc.isObject()) {
                return null;
            }
            return doc.has("steps") ? "pipeline" : doc.has("type") ? "asset" : null;
        }
    }

    // ------------------------------------------------------------------ pipelines

    @Command(name = "pipelines", description = "Your pipelines",
            subcommands = {Pipelines.List.class, Pipelines.Get.class, Pipelines.Versions.class, Pipelines.Delete.class})
    static final class Pipelines {

        @Command(name = "list", description = "List pipelines (latest versions)")
        static final class List extends Base {
            @Override
            public Integer call() {
                print(api().get("/api/v1/pipelines?limit=200"), PIPELINE_COLUMNS);
                return 0;
            }
        }

        @Command(name = "get", description = "A pipeline with its steps")
        static final class Get extends Base {
            @Parameters(paramLabel = "PIPELINE", description = "id or name")
            String pipeline;

            @Override
            public Integer call() {
                print(api().get("/api/v1/pipelines/" + pipelineId(pipeline)), stepColumns());
                return 0;
            }

            private java.util.List<Output.Column> stepColumns() {
                return java.util.List.of(col("STEP", "id"), col("TOOL", "tool"), col("CAPABILITIES", "capabilities"),
                        col("DEPENDS ON", "depends_on"), col("TIMEOUT", "timeout"));
            }

            @Override
            void print(JsonNode node, java.util.List<Output.Column> columns) {
                if (root().output == Output.Format.table) {
                    out().println(node.path("name").asText() + "  v" + node.path("version").asText() + "  " + node.path("id").asText());
                    Output.table(out(), node.path("steps"), columns);
                    out().flush();
                } else {
                    super.print(node, columns);
                }
            }
        }

        @Command(name = "versions", description = "The versions of a pipeline, newest first")
        static final class Versions extends Base {
            @Parameters(paramLabel = "PIPELINE", description = "id or name")
            String pipeline;

            @Override
            public Integer call() {
                print(api().get("/api/v1/pipelines/" + pipelineId(pipeline) + "/versions"), java.util.List.of(
                        col("VERSION", "version"), col("LATEST", "is_latest"), col("BY", "created_by"), col("AT", "updated_at")));
                return 0;
            }
        }

        @Command(name = "delete", description = "Deactivate a pipeline (its history stays readable)")
        static final class Delete extends Base {
            @Parameters(paramLabel = "PIPELINE", description = "id or name")
            String pipeline;

            @Override
            public Integer call() {
                String id = pipelineId(pipeline);
                api().send("DELETE", "/api/v1/pipelines/" + id, null, null);
                out().println("pipeline " + id + " deactivated");
                out().flush();
                return 0;
            }
        }
    }

    // ------------------------------------------------------------------ templates

    @Command(name = "templates", description = "The system templates",
            subcommands = {Templates.List.class, Templates.Use.class})
    static final class Templates {

        @Command(name = "list", description = "The system templates and whether your online workers can run them")
        static final class List extends Base {
            @Override
            public Integer call() {
                print(api().get("/api/v1/pipeline-templates"), java.util.List.of(col("SLUG", "slug"), col("NAME", "name"),
                        col("VERSION", "version"), col("RUNNABLE", "coverage.runnable"),
                        col("MISSING", "coverage.missing_capabilities")));
                return 0;
            }
        }

        @Command(name = "use", description = "Make your own pipeline from a system template")
        static final class Use extends Base {
            @Parameters(paramLabel = "TEMPLATE", description = "slug or id, e.g. full-security-scan")
            String template;

            @Option(names = "--name", description = "the new pipeline's name (default: the template's)")
            String name;

            @Override
            public Integer call() {
                ObjectNode body = Api.JSON.createObjectNode();
                if (name != null) {
                    body.put("name", name);
                }
                JsonNode p = api().send("POST", "/api/v1/pipeline-templates/" + Api.q(template) + "/use",
                        body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json").body();
                print(p, PIPELINE_COLUMNS);
                return 0;
            }
        }
    }

    // ------------------------------------------------------------------ run

    @Command(name = "run", description = "Run a pipeline on an asset; with --wait, follow it and fail on its outcome")
    static final class Run extends Base {
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
            return Watch.verdict(end, failOn, spec.commandLine().getErr());
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
            subcommands = {Runs.List.class, Runs.Get.class, Runs.Cancel.class, Runs.Retry.class, Runs.WatchRun.class})
    static final class Runs {

        @Command(name = "list", description = "Runs, newest first")
        static final class List extends Base {
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
        static final class Get extends Base {
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
        static final class Cancel extends Base {
            @Parameters(paramLabel = "RUN")
            String run;

            @Override
            public Integer call() {
                print(api().send("POST", "/api/v1/pipeline-runs/" + run + "/cancel", null, null).body(), RUN_COLUMNS);
                return 0;
            }
        }

        @Command(name = "retry", description = "Retry a run's failed steps")
        static final class Retry extends Base {
            @Parameters(paramLabel = "RUN")
            String run;

            @Override
            public Integer call() {
                print(api().send("POST", "/api/v1/pipeline-runs/" + run + "/retry", null, null).body(), RUN_COLUMNS);
                return 0;
            }
        }

        @Command(name = "watch", description = "Follow a run until it ends (exit 1 if it does not complete)")
        static final class WatchRun extends Base {
            @Parameters(paramLabel = "RUN")
            String run;

            @Option(names = "--fail-on", paramLabel = "SEVERITY", description = "exit 1 on findings of this severity or worse; findings without a severity trip every threshold")
            String failOn;

            @Override
            public Integer call() throws InterruptedException {
                JsonNode end = Watch.follow(api(), run, out(), System.console() != null);
                return Watch.verdict(end, failOn, spec.commandLine().getErr());
            }
        }
    }

    // ------------------------------------------------------------------ logs

    @Command(name = "logs", description = "A step's log lines; --follow prints new ones until the step ends")
    static final class Logs extends Base {
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

    // ------------------------------------------------------------------ workers

    @Command(name = "workers", description = "The workers that serve you",
            subcommands = {Workers.List.class, Workers.Drain.class, Workers.Resume.class})
    static final class Workers {
        static final java.util.List<Output.Column> COLUMNS = java.util.List.of(col("ID", "worker_id"),
                col("STATUS", "status"), col("CAPABILITIES", "capabilities"),
                col("TOOLS", "tools"), col("ACTIVE", "active_commands"), col("MAX", "max_concurrency"));

        @Command(name = "list", description = "Workers")
        static final class List extends Base {
            @Override
            public Integer call() {
                print(api().get("/api/v1/workers?limit=200"), COLUMNS);
                return 0;
            }
        }

        @Command(name = "drain", description = "Give a worker no new steps (running ones finish)")
        static final class Drain extends Base {
            @Parameters(paramLabel = "WORKER")
            String worker;

            @Override
            public Integer call() {
                print(api().send("POST", "/api/v1/workers/" + Api.q(worker) + "/drain", null, null).body(), COLUMNS);
                return 0;
            }
        }

        @Command(name = "resume", description = "Give a drained worker steps again")
        static final class Resume extends Base {
            @Parameters(paramLabel = "WORKER")
            String worker;

            @Override
            public Integer call() {
                print(api().send("POST", "/api/v1/workers/" + Api.q(worker) + "/resume", null, null).body(), COLUMNS);
                return 0;
            }
        }
    }
}
