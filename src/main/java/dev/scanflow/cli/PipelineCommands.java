package dev.scanflow.cli;

import static dev.scanflow.cli.Output.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scanflow pipelines} and {@code scanflow templates}: the tenant's pipelines and the system templates. */
final class PipelineCommands {

    private PipelineCommands() {
    }

    @Command(name = "pipelines", description = "Your pipelines",
            subcommands = {Pipelines.List.class, Pipelines.Get.class, Pipelines.Versions.class, Pipelines.Delete.class})
    static final class Pipelines {

        @Command(name = "list", description = "List pipelines (latest versions)")
        static final class List extends CommandBase {
            @Override
            public Integer call() {
                print(api().get("/api/v1/pipelines?limit=200"), PIPELINE_COLUMNS);
                return 0;
            }
        }

        @Command(name = "get", description = "A pipeline with its steps")
        static final class Get extends CommandBase {
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
        static final class Versions extends CommandBase {
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
        static final class Delete extends CommandBase {
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
        static final class List extends CommandBase {
            @Override
            public Integer call() {
                print(api().get("/api/v1/pipeline-templates"), java.util.List.of(col("SLUG", "slug"), col("NAME", "name"),
                        col("VERSION", "version"), col("RUNNABLE", "coverage.runnable"),
                        col("MISSING", "coverage.missing_capabilities")));
                return 0;
            }
        }

        @Command(name = "use", description = "Make your own pipeline from a system template")
        static final class Use extends CommandBase {
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
}
