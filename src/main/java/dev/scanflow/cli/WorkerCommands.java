package dev.scanflow.cli;

import static dev.scanflow.cli.Output.col;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code scanflow workers}: the workers that serve the tenant. */
final class WorkerCommands {

    private WorkerCommands() {
    }

    @Command(name = "workers", description = "The workers that serve you",
            subcommands = {Workers.List.class, Workers.Drain.class, Workers.Resume.class})
    static final class Workers {
        static final java.util.List<Output.Column> COLUMNS = java.util.List.of(col("ID", "worker_id"),
                col("STATUS", "status"), col("CAPABILITIES", "capabilities"),
                col("TOOLS", "tools"), col("ACTIVE", "active_commands"), col("MAX", "max_concurrency"));

        @Command(name = "list", description = "Workers")
        static final class List extends CommandBase {
            @Override
            public Integer call() {
                print(api().get("/api/v1/workers?limit=200"), COLUMNS);
                return 0;
            }
        }

        @Command(name = "drain", description = "Give a worker no new steps (running ones finish)")
        static final class Drain extends CommandBase {
            @Parameters(paramLabel = "WORKER")
            String worker;

            @Override
            public Integer call() {
                print(api().send("POST", "/api/v1/workers/" + Api.q(worker) + "/drain", null, null).body(), COLUMNS);
                return 0;
            }
        }

        @Command(name = "resume", description = "Give a drained worker steps again")
        static final class Resume extends CommandBase {
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
