package dev.scanflow.cli;

import static dev.scanflow.cli.Output.col;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** What every {@code scanflow} subcommand has: the root's connection and output settings, and the shared names. */
abstract class CommandBase implements Callable<Integer> {

    static final List<String> SEVERITIES = List.of("critical", "high", "medium", "low", "info");
    static final Set<String> ENDED = Set.of("completed", "failed", "cancelled", "timeout");
    static final List<Output.Column> PIPELINE_COLUMNS = List.of(col("ID", "id"), col("NAME", "name"),
            col("VERSION", "version"), col("ACTIVE", "is_active"), col("TEMPLATE", "derived_from.slug"));
    static final List<Output.Column> RUN_COLUMNS = List.of(col("ID", "id"), col("PIPELINE", "pipeline_name"),
            col("STATUS", "status"), col("TRIGGER", "trigger_type"), col("FINDINGS", "total_findings"),
            col("CREATED", "created_at"));

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
