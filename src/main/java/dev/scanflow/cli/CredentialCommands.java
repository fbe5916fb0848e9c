package dev.scanflow.cli;

import static dev.scanflow.cli.Output.col;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code scanflow credentials}: the tenant's scan credentials. A value is read from
 * {@code --value-file} or standard input, never from the command line (where {@code ps} and the
 * shell's history would show it); its final line break is dropped.
 */
final class CredentialCommands {

    private CredentialCommands() {
    }

    @Command(name = "credentials", description = "Scan credentials: secrets workers use against targets (values are "
            + "never shown)", subcommands = {Credentials.List.class, Credentials.Get.class, Credentials.Create.class,
                    Credentials.Rotate.class, Credentials.Delete.class})
    static final class Credentials {
        static final java.util.List<Output.Column> COLUMNS = java.util.List.of(col("NAME", "name"), col("KIND", "kind"),
                col("SCOPE", "scope"), col("USABLE BY", "usable_by"), col("PREVIOUS UNTIL", "grace_until"),
                col("ROTATED", "rotated_at"), col("CREATED", "created_at"));

        @Command(name = "list", description = "Your scan credentials (names, kinds, scopes; no values)")
        static final class List extends CommandBase {
            @Override
            public Integer call() {
                print(api().get("/api/v1/credentials"), COLUMNS);
                return 0;
            }
        }

        @Command(name = "get", description = "One scan credential (no value)")
        static final class Get extends CommandBase {
            @Parameters(paramLabel = "NAME")
            String name;

            @Override
            public Integer call() {
                print(api().get("/api/v1/credentials/" + Api.q(name)), COLUMNS);
                return 0;
            }
        }

        @Command(name = "create", description = "Create a scan credential; the value comes from --value-file or stdin")
        static final class Create extends ValueCommand {
            @Parameters(paramLabel = "NAME")
            String name;

            @Option(names = "--kind", required = true,
                    description = "git_token, git_ssh_key, http_header, http_basic, cookie or api_key")
            String kind;

            @Option(names = "--username", description = "git_token (default x-access-token), http_basic")
            String username;

            @Option(names = "--header", description = "http_header, api_key (default X-API-Key)")
            String header;

            @Option(names = "--scope", split = ",", description = "where it may be sent: host or URL-prefix patterns "
                    + "(github.com/acme/*, *.example.com, https://staging.example.com/); repeat or separate with commas")
            java.util.List<String> scope;

            @Option(names = "--usable-by", split = ",", description = "the pipelines (names or ids) that may use it "
                    + "(default: every pipeline)")
            java.util.List<String> usableBy;

            @Override
            public Integer call() {
                ObjectNode body = Api.JSON.createObjectNode().put("name", name).put("kind", kind);
                body.put("value", value());
                if (username != null) {
                    body.put("username", username);
                }
                if (header != null) {
                    body.put("header", header);
                }
                if (scope != null) {
                    scope.forEach(body.putArray("scope")::add);
                }
                if (usableBy != null) {
                    usableBy.forEach(body.putArray("usable_by")::add);
                }
                print(api().send("POST", "/api/v1/credentials", bytes(body), "application/json").body(), COLUMNS);
                return 0;
            }
        }

        @Command(name = "rotate", description = "Give a scan credential a new value (from --value-file or stdin)")
        static final class Rotate extends ValueCommand {
            @Parameters(paramLabel = "NAME")
            String name;

            @Option(names = "--grace", description = "how long commands made before keep the previous value (e.g. 1h; "
                    + "default 0s)")
            String grace;

            @Override
            public Integer call() {
                ObjectNode body = Api.JSON.createObjectNode().put("value", value());
                if (grace != null) {
                    body.put("grace", grace);
                }
                print(api().send("POST", "/api/v1/credentials/" + Api.q(name) + "/rotate", bytes(body),
                        "application/json").body(), COLUMNS);
                return 0;
            }
        }

        @Command(name = "delete", description = "Delete a scan credential (refused while assets or pipelines name it)")
        static final class Delete extends CommandBase {
            @Parameters(paramLabel = "NAME")
            String name;

            @Override
            public Integer call() {
                api().send("DELETE", "/api/v1/credentials/" + Api.q(name), null, null);
                out().println("credential " + name + ": deleted");
                out().flush();
                return 0;
            }
        }
    }

    /** A command that reads a secret: from a file, or from standard input; never from its arguments. */
    abstract static class ValueCommand extends CommandBase {
        @Option(names = "--value-file", paramLabel = "FILE", description = "read the value from this file (default: "
                + "standard input)")
        Path valueFile;

        String value() {
            byte[] raw;
            try {
                if (valueFile != null) {
                    raw = Files.readAllBytes(valueFile);
                } else {
                    InputStream in = root().stdin;
                    raw = in.readNBytes(1 << 20);
                }
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read the value"
                        + (valueFile != null ? " from " + valueFile : " from standard input") + ": " + e.getMessage());
            }
            String value = new String(raw, StandardCharsets.UTF_8).replaceAll("[\\r\\n]+$", "");
            if (value.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no value: give --value-file FILE or pipe "
                        + "the value to standard input (never on the command line)");
            }
            return value;
        }

        static byte[] bytes(ObjectNode body) {
            try {
                return Api.JSON.writeValueAsBytes(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
