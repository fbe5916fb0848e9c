package dev.scanflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The {@code scanflow} command: Scanflow's API for people at a terminal and for CI jobs. It
 * reads {@code SCANFLOW_URL} and {@code SCANFLOW_TOKEN}, or {@code url:} and {@code token:} in
 * {@code ~/.config/scanflow/config.yaml} (or {@code --config}), the options winning over both.
 *
 * <p>Exit codes: 0 done; 1 a run failed or had findings at or above {@code --fail-on}; 2 bad
 * usage; 3 the API refused the request (its problem is printed); 4 Scanflow could not be reached
 * or failed.
 */
@Command(name = "scanflow", mixinStandardHelpOptions = true, version = "scanflow 0.1.0",
        description = "Scanflow from the command line: apply templates and assets, run pipelines and watch them.",
        subcommands = {ApplyCommand.Apply.class, PipelineCommands.Pipelines.class, PipelineCommands.Templates.class,
                RunCommands.Run.class,
                RunCommands.Runs.class, RunCommands.Logs.class, WorkerCommands.Workers.class,
                CredentialCommands.Credentials.class, ScanPolicyCommands.ScanPolicy.class,
                FindingCommands.Findings.class, FindingCommands.Suppressions.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:a run failed, or had findings at or above --fail-on",
                "2:bad usage", "3:the API refused the request (its problem is printed)",
                "4:Scanflow could not be reached, or failed"})
public final class ScanflowCli {

    static final int RUN_FAILED = 1;
    static final int API_REFUSED = 3;
    static final int UNREACHABLE = 4;

    @Option(names = "--url", description = "Scanflow's base URL (default: $SCANFLOW_URL, the config file, "
            + "http://127.0.0.1:8080)")
    String url;

    @Option(names = "--token", description = "bearer token (default: $SCANFLOW_TOKEN, the config file)")
    String token;

    @Option(names = "--config", description = "a config file with url: and token: (default ~/.config/scanflow/config.yaml)")
    Path config;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table, json or yaml (default: table)")
    Output.Format output;

    private final Map<String, String> env;
    /** Where secrets are read from when no file is given (credentials create and rotate). */
    final java.io.InputStream stdin;

    ScanflowCli(Map<String, String> env, java.io.InputStream stdin) {
        this.env = env;
        this.stdin = stdin;
    }

    Api api() {
        Map<String, String> file = fileSettings();
        String u = first(url, env.get("SCANFLOW_URL"), file.get("url"), "http://127.0.0.1:8080");
        String t = first(token, env.get("SCANFLOW_TOKEN"), file.get("token"), null);
        return new Api(u, t);
    }

    private Map<String, String> fileSettings() {
        Path p = config != null ? config : Path.of(System.getProperty("user.home"), ".config", "scanflow", "config.yaml");
        if (!Files.isRegularFile(p)) {
            if (config != null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "no config file " + p);
            }
            return Map.of();
        }
        try {
            JsonNode n = new YAMLMapper().readTree(p.toFile());
            return Map.of("url", n.path("url").asText(""), "token", n.path("token").asText(""));
        } catch (IOException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "cannot read " + p + ": " + e.getMessage());
        }
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    /** The command line with Scanflow's error handling: problems printed, never a stack trace. */
    public static CommandLine commandLine(Map<String, String> env, PrintWriter out, PrintWriter err) {
        return commandLine(env, out, err, System.in);
    }

    /** As {@link #commandLine(Map, PrintWriter, PrintWriter)}, reading secrets from {@code stdin}. */
    public static CommandLine commandLine(Map<String, String> env, PrintWriter out, PrintWriter err,
            java.io.InputStream stdin) {
        CommandLine cl = new CommandLine(new ScanflowCli(env, stdin));
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof Api.Failure f) {
                printProblem(command.getErr(), f);
                return f.status == 0 || f.status >= 500 ? UNREACHABLE : API_REFUSED;
            }
            command.getErr().println("scanflow: " + e.getMessage());
            return UNREACHABLE;
        });
        return cl;
    }

    static void printProblem(PrintWriter err, Api.Failure f) {
        err.println("scanflow: " + f.getMessage() + (f.status > 0 ? " (" + f.status + ")" : ""));
        if (f.problem != null) {
            if (f.problem.hasNonNull("detail")) {
                err.println("  " + f.problem.get("detail").asText());
            }
            for (JsonNode e : f.problem.path("errors")) {
                err.println("  " + e.path("path").asText() + ": " + e.path("message").asText());
            }
        }
        err.flush();
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true))
                .execute(args));
    }
}
