package dev.scanflow.agent;

import dev.scanflow.protocol.ScanCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One scan command: runs the tool as a child process (no shell; its arguments from
 * {@link ArgumentTemplate} with {@link Placeholders}), streams its output lines as logs,
 * enforces the command's timeout, kills the process tree on cancel, and reports running, then
 * completed (parsed result) or failed (exit code and the last lines of stderr). A command that
 * references credentials gets their values first ({@link CredentialSource}; none: the step fails
 * with {@link CredentialsUnavailable#CODE}); from then on everything it reports is redacted
 * ({@link RedactingReporter}) and the values go to git and the tool as {@link StepCredentials}
 * says, removed with the step's files when it ends.
 */
final class ToolRun implements Runnable {

    private static final int STDERR_TAIL = 10;

    private final ScanCommand command;
    private final String commandId;
    private final WorkerConfig config;
    private final RedactingReporter reporter;
    private final CredentialSource credentials;
    private final AtomicLong seq = new AtomicLong();
    private volatile Process process;
    private volatile boolean cancelled;
    private volatile boolean finished;

    ToolRun(ScanCommand scan, WorkerConfig config, Reporter reporter, CredentialSource credentials) {
        this.command = scan;
        this.commandId = scan.id();
        this.config = config;
        this.reporter = new RedactingReporter(reporter);
        this.credentials = credentials;
    }

    String commandId() {
        return commandId;
    }

    /** Stops the tool; the run reports cancelled. */
    void cancel() {
        cancelled = true;
        Process p = process;
        if (p != null) {
            kill(p);
        } else if (!finished) {
            finished = true;
            reporter.cancelled(commandId);
        }
    }

    /** The worker is going away: kill the tool and report nothing (Scanflow re-dispatches the step). */
    void abandon() {
        finished = true;
        cancelled = true;
        Process p = process;
        if (p != null) {
            kill(p);
        }
    }

    @Override
    public void run() {
        if (cancelled) {
            return; // reported by cancel()
        }
        long started = System.currentTimeMillis();
        Path workdir = null;
        StepCredentials held = StepCredentials.NONE;
        try {
            ScanCommand.Payload payload = command.payload();
            String wanted = payload.stepConfig().get("tool") instanceof String t ? t : null;
            List<String> capabilities = payload.capabilities() == null ? List.of() : payload.capabilities();
            String toolName = ToolChoice.choose(config.tools(), wanted, capabilities, payload.target().type());
            if (toolName == null) {
                finish(() -> reporter.failed(commandId, "NO_TOOL", "this worker has no tool '" + wanted
                        + "' and none that provides " + capabilities + " (it has " + config.tools().keySet() + ")"));
                return;
            }
            WorkerConfig.ToolConfig tool = config.tools().get(toolName);
            String runs = tool.tool() != null ? tool.tool() : toolName;
            if (!runs.equals(wanted)) {
                reporter.log(commandId, seq.incrementAndGet(), "running " + toolName + " for " + capabilities
                        + (wanted == null ? "" : " (this worker has no " + wanted + ")"));
            }
            workdir = Files.createTempDirectory(Path.of(config.workdir()), "scanflow-" + commandId.substring(0, 8) + "-");
            if (!CredentialClient.refs(command).isEmpty()) {
                try {
                    held = StepCredentials.hold(credentials.fetch(command), Path.of(config.workdir()));
                } catch (CredentialsUnavailable e) {
                    finish(() -> reporter.failed(commandId, CredentialsUnavailable.CODE, e.getMessage()));
                    return;
                }
                reporter.use(held.redactor());
                reporter.log(commandId, seq.incrementAndGet(), "credentials: " + held.describe());
            }
            Path outputFile = workdir.resolve("result");
            Map<String, Object> variables = Placeholders.of(payload, config, outputFile, workdir, timeoutSeconds());
            String commandLine = String.join(" ", tool.command()) + " " + (tool.directory() == null ? "" : tool.directory());
            try {
                variables.put("auth", held.placeholders(payload.target(), commandLine, workdir));
            } catch (IllegalArgumentException e) {
                finish(() -> reporter.failed(commandId, "BAD_ARGUMENTS", e.getMessage()));
                return;
            }
            Path sourceDir = null;
            if (commandLine.contains("{source_dir")) {
                try {
                    sourceDir = Checkout.of(payload.target(), workdir.resolve("src"),
                            line -> reporter.log(commandId, seq.incrementAndGet(), line), held.gitEnvironment());
                } catch (IOException e) {
                    finish(() -> reporter.failed(commandId, "CHECKOUT_FAILED", e.getMessage()));
                    return;
                }
                variables.put("source_dir", sourceDir.toString());
            }
            List<String> args;
            try {
                args = ArgumentTemplate.expand(tool.command(), variables);
            } catch (IllegalArgumentException e) {
                finish(() -> reporter.failed(commandId, "BAD_ARGUMENTS", e.getMessage()));
                return;
            }
            Path directory = workdir;
            if (tool.directory() != null) {
                try {
                    directory = Path.of(ArgumentTemplate.expand(List.of(tool.directory()), variables).get(0));
                } catch (IllegalArgumentException e) {
                    finish(() -> reporter.failed(commandId, "BAD_ARGUMENTS", "directory: " + e.getMessage()));
                    return;
                }
            }
            ProcessBuilder pb = new ProcessBuilder(args).directory(directory.toFile());
            if (tool.env() != null) {
                pb.environment().putAll(tool.env());
            }
            pb.environment().putAll(held.toolEnvironment());
            reporter.running(commandId);
            reporter.log(commandId, seq.incrementAndGet(), "$ " + String.join(" ", args));
            process = pb.start();
            if (cancelled) {
                kill(process);
            }
            Deque<String> stderrTail = new ArrayDeque<>();
            Thread out = pump(process.getInputStream(), "", null);
            Thread err = pump(process.getErrorStream(), "[stderr] ", stderrTail);
            long timeout = timeoutSeconds();
            boolean exited = process.waitFor(timeout, TimeUnit.SECONDS);
            if (!exited) {
                kill(process);
            }
            out.join(5_000);
            err.join(5_000);
            if (cancelled) {
                finish(() -> reporter.cancelled(commandId));
                return;
            }
            if (!exited) {
                finish(() -> reporter.failed(commandId, "TIMEOUT", "killed after " + timeout + " s"));
                return;
            }
            int code = process.exitValue();
            if (!tool.succeeded(code)) {
                String tail;
                synchronized (stderrTail) {
                    tail = String.join("\n", stderrTail);
                }
                finish(() -> reporter.failed(commandId, "EXIT_" + code, args.get(0) + " exited with " + code
                        + (tail.isEmpty() ? "" : ":\n" + tail)));
                return;
            }
            String format = tool.format() == null ? "none" : tool.format();
            Path resultFile = outputFile;
            if (tool.resultFile() != null) {
                resultFile = Path.of(ArgumentTemplate.expand(List.of(tool.resultFile()), variables).get(0));
            }
            ScanReport parsed;
            try {
                parsed = ResultParser.forFormat(format, runs, tool.defaultSeverity(), sourceDir).parse(resultFile);
            } catch (IOException e) {
                finish(() -> reporter.failed(commandId, "BAD_RESULT", "could not read the " + format + " result: "
                        + e.getMessage()));
                return;
            }
            long duration = System.currentTimeMillis() - started;
            // later steps and people can see which tool answered, in particular a substitute
            Map<String, Object> output = new LinkedHashMap<>(parsed.output());
            output.put("tool", runs);
            if (wanted != null && !wanted.equals(runs)) {
                output.put("substituted_for", wanted);
            }
            ScanReport report = new ScanReport(parsed.findingsCount(), parsed.findingsBySeverity(), output,
                    parsed.findings());
            finish(() -> reporter.completed(commandId, report, duration));
        } catch (IOException e) {
            finish(() -> reporter.failed(commandId, "START_FAILED", e.getMessage()));
        } catch (RuntimeException e) {
            // a defect here must still end the step, not leave it running until its timeout
            ScanWorker.log("command %s: %s at %s", commandId, reporter.redact(e.toString()),
                    Arrays.toString(e.getStackTrace()));
            finish(() -> reporter.failed(commandId, "WORKER_ERROR", e.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Process p = process;
            if (p != null) {
                kill(p);
            }
        } finally {
            held.close();
            PrivateFiles.delete(workdir);
        }
    }

    private void finish(Runnable report) {
        if (!finished) {
            finished = true;
            report.run();
        }
    }

    /** The command's timeout; an hour when it names none. */
    private long timeoutSeconds() {
        return command.timeoutSeconds() > 0 ? command.timeoutSeconds() : 3600;
    }

    private Thread pump(InputStream in, String prefix, Deque<String> tail) {
        Thread t = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    reporter.log(commandId, seq.incrementAndGet(), prefix + line);
                    if (tail != null) {
                        synchronized (tail) {
                            tail.addLast(line);
                            if (tail.size() > STDERR_TAIL) {
                                tail.removeFirst();
                            }
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process was killed
            }
        }, "tool-output-" + commandId.substring(0, 8));
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Ends the tool and everything it started: TERM first, KILL after a grace period. */
    static void kill(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
