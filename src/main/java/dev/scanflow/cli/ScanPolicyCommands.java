package dev.scanflow.cli;

import static dev.scanflow.cli.Output.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scanflow scan-policy}: the tenant's scan policy (docs/api.md, "Scan policy"). */
final class ScanPolicyCommands {

    private ScanPolicyCommands() {
    }

    static final List<Output.Column> COLUMNS = List.of(col("VERSION", "version"), col("ALLOWED", "allowed_targets"),
            col("EXCLUDED", "excluded_targets"), col("BLACKOUT", "blackout_windows"),
            col("ACTIVE", "active_capabilities"), col("UPDATED", "updated_at"));

    @Command(name = "scan-policy", description = "The targets active steps may reach, exclusions, blackout windows",
            subcommands = {ScanPolicy.Get.class, ScanPolicy.Set.class, ScanPolicy.Delete.class})
    static final class ScanPolicy {

        @Command(name = "get", description = "The tenant's scan policy (-o yaml prints a file 'set' takes back)")
        static final class Get extends CommandBase {
            @Override
            public Integer call() {
                print(api().get("/api/v1/scan-policy"), COLUMNS);
                return 0;
            }
        }

        @Command(name = "set", description = "Write the tenant's scan policy from a YAML or JSON file (admin)")
        static final class Set extends CommandBase {
            @Option(names = {"-f", "--file"}, required = true, description = "the policy, YAML or JSON")
            Path file;

            @Override
            public Integer call() {
                JsonNode doc;
                try {
                    doc = new YAMLMapper().readTree(Files.readAllBytes(file));
                } catch (IOException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            file + ": not YAML or JSON: " + e.getMessage().lines().findFirst().orElse(""));
                }
                Api.Answer a;
                try {
                    a = api().send("PUT", "/api/v1/scan-policy", doc.toString().getBytes(StandardCharsets.UTF_8),
                            "application/json");
                } catch (Api.Failure e) {
                    throw e.about(file.toString());
                }
                out().println("scan policy " + (a.status() == 201 ? "created" : "updated") + " (version "
                        + a.body().path("version").asText() + ")");
                print(a.body(), COLUMNS);
                return 0;
            }
        }

        @Command(name = "delete", description = "Remove the tenant's scan policy (admin)")
        static final class Delete extends CommandBase {
            @Override
            public Integer call() {
                api().send("DELETE", "/api/v1/scan-policy", null, null);
                out().println("scan policy removed");
                out().flush();
                return 0;
            }
        }
    }
}
