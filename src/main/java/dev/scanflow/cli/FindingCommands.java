package dev.scanflow.cli;

import static dev.scanflow.cli.Output.col;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scanflow findings}, {@code scanflow runs findings} and {@code scanflow suppressions}. */
final class FindingCommands {

    static final String SARIF = "application/sarif+json";
    static final java.util.List<Output.Column> COLUMNS = java.util.List.of(col("ID", "id"), col("SEVERITY", "severity"),
            col("STATE", "state"), col("KIND", "kind"), col("RULE", "rule_id"), col("TOOLS", "tools"),
            col("WHERE", "location.file"), col("HOST", "location.host"), col("PACKAGE", "location.package"),
            col("LAST SEEN", "last_seen_at"));
    static final java.util.List<Output.Column> RUN_COLUMNS = java.util.List.of(col("ID", "id"), col("CHANGE", "change"),
            col("SEVERITY", "severity"), col("KIND", "kind"), col("RULE", "rule_id"), col("WHERE", "location.file"),
            col("HOST", "location.host"), col("PACKAGE", "location.package"), col("SUPPRESSED", "suppressed"));

    private FindingCommands() {
    }

    @Command(name = "findings", description = "Findings of your assets", subcommands = {Findings.List.class})
    static final class Findings {

        @Command(name = "list", description = "Findings, most recently seen first")
        static final class List extends CommandBase {
            @Option(names = "--asset", description = "the asset's id")
            String asset;

            @Option(names = "--state", description = "new, unchanged, reopened, fixed (comma-separated)")
            String state;

            @Option(names = "--severity", description = "critical, high, medium, low, info, unknown (comma-separated)")
            String severity;

            @Option(names = "--tool")
            String tool;

            @Option(names = "--rule")
            String rule;

            @Option(names = "--suppressed", description = "true or false")
            String suppressed;

            @Option(names = "--limit", defaultValue = "50")
            int limit;

            @Override
            public Integer call() {
                StringBuilder q = new StringBuilder("/api/v1/findings?limit=" + limit);
                param(q, "asset_id", asset);
                param(q, "state", state);
                param(q, "severity", severity);
                param(q, "tool", tool);
                param(q, "rule_id", rule);
                param(q, "suppressed", suppressed);
                print(api().get(q.toString()), COLUMNS);
                return 0;
            }
        }
    }

    @Command(name = "findings", description = "A run's findings and what the run made of each; --format sarif writes "
            + "SARIF 2.1.0 to standard output")
    static final class RunFindings extends CommandBase {
        @Parameters(paramLabel = "RUN")
        String run;

        @Option(names = "--change", description = "new, unchanged, reopened, fixed (comma-separated)")
        String change;

        @Option(names = "--severity", description = "critical, high, medium, low, info, unknown (comma-separated)")
        String severity;

        @Option(names = "--format", description = "sarif, or the output format of the other commands (default)")
        String format;

        @Override
        public Integer call() {
            StringBuilder q = new StringBuilder("/api/v1/pipeline-runs/" + Api.q(run) + "/findings?");
            param(q, "change", change);
            param(q, "severity", severity);
            if ("sarif".equalsIgnoreCase(format)) {
                out().print(new String(api().raw(q.toString(), SARIF), StandardCharsets.UTF_8));
                out().flush();
                return 0;
            }
            if (format != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--format takes sarif (or leave it out)");
            }
            // every page: a run may have tens of thousands of findings
            ObjectNode all = Api.JSON.createObjectNode();
            com.fasterxml.jackson.databind.node.ArrayNode items = all.putArray("items");
            String cursor = null;
            do {
                com.fasterxml.jackson.databind.JsonNode page = api().get(q + "&limit=1000"
                        + (cursor == null ? "" : "&cursor=" + Api.q(cursor)));
                page.path("items").forEach(items::add);
                cursor = page.hasNonNull("next_cursor") ? page.get("next_cursor").asText() : null;
            } while (cursor != null);
            print(all, RUN_COLUMNS);
            return 0;
        }
    }

    @Command(name = "suppressions", description = "Suppressed findings: counted apart, never trip a gate",
            subcommands = {Suppressions.List.class, Suppressions.Create.class, Suppressions.Delete.class})
    static final class Suppressions {
        static final java.util.List<Output.Column> COLUMNS = java.util.List.of(col("ID", "id"), col("FINDING", "finding_id"),
                col("RULE", "rule_id"), col("PATTERN", "pattern"), col("ASSET", "asset_id"), col("OWNER", "owner"),
                col("REASON", "reason"), col("EXPIRES", "expires_at"), col("ACTIVE", "active"));

        @Command(name = "list", description = "Your suppressions, newest first")
        static final class List extends CommandBase {
            @Override
            public Integer call() {
                print(api().get("/api/v1/suppressions?limit=200"), COLUMNS);
                return 0;
            }
        }

        @Command(name = "create", description = "Suppress one finding (--finding) or a rule (--rule, with --pattern and "
                + "--asset to narrow it)")
        static final class Create extends CommandBase {
            @Option(names = "--finding", description = "a finding's id")
            String finding;

            @Option(names = "--rule", description = "a rule id")
            String rule;

            @Option(names = "--pattern", description = "a path glob (src/**/test_*.py), a host or *.domain")
            String pattern;

            @Option(names = "--asset", description = "an asset's id")
            String asset;

            @Option(names = "--reason", required = true)
            String reason;

            @Option(names = "--owner", required = true)
            String owner;

            @Option(names = "--expires", description = "RFC 3339 time, e.g. 2027-03-31T00:00:00Z")
            String expires;

            @Override
            public Integer call() {
                ObjectNode body = Api.JSON.createObjectNode();
                put(body, "finding_id", finding);
                put(body, "rule_id", rule);
                put(body, "pattern", pattern);
                put(body, "asset_id", asset);
                put(body, "reason", reason);
                put(body, "owner", owner);
                put(body, "expires_at", expires);
                print(api().send("POST", "/api/v1/suppressions", body.toString().getBytes(StandardCharsets.UTF_8),
                        "application/json").body(), COLUMNS);
                return 0;
            }
        }

        @Command(name = "delete", description = "Delete a suppression")
        static final class Delete extends CommandBase {
            @Parameters(paramLabel = "ID")
            String id;

            @Override
            public Integer call() {
                api().send("DELETE", "/api/v1/suppressions/" + Api.q(id), null, null);
                return 0;
            }
        }
    }

    private static void param(StringBuilder q, String name, String value) {
        if (value != null && !value.isBlank()) {
            q.append(q.charAt(q.length() - 1) == '?' ? "" : "&").append(name).append('=').append(Api.q(value));
        }
    }

    private static void put(ObjectNode body, String name, String value) {
        if (value != null) {
            body.put(name, value);
        }
    }
}
