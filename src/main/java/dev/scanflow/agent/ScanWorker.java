package dev.scanflow.agent;

import dev.scanflow.protocol.CancelCommand;
import dev.scanflow.protocol.Command;
import dev.scanflow.protocol.FindingsChunk;
import dev.scanflow.protocol.Heartbeat;
import dev.scanflow.protocol.LogLine;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.ScanCommand;
import dev.scanflow.protocol.StatusReport;
import dev.scanflow.protocol.Subjects;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Scanflow's reference scanner worker. It speaks only the worker protocol (docs/protocol.md,
 * the records of {@code dev.scanflow.protocol}): heartbeats, commands on its own subject, results
 * and logs on its own subjects, and a scan's findings as records, in chunks, before its
 * {@code completed} report. It never touches Scanflow's database. Each scan runs the
 * configured tool as a child process. A scan that references credentials asks for their values
 * with a core NATS request ({@link CredentialClient}) whose reply comes to this connection's
 * inbox, {@code _INBOX.<worker_id>}.
 */
public final class ScanWorker implements AutoCloseable, Reporter {

    private static final int SEEN_LIMIT = 10_000;
    /**
     * How often a chunk of findings is tried while no stream takes the subject (a Scanflow from
     * before findings records): then the result goes without them, as a count.
     */
    private static final int NO_STREAM_ATTEMPTS = 5;

    private final WorkerConfig config;
    private final Subjects subjects;
    private final Map<String, ToolRun> running = new ConcurrentHashMap<>();
    private final Set<String> seen = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > SEEN_LIMIT;
        }
    });
    private final ExecutorService tools;
    private final Duration credentialTimeout;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "heartbeat"));
    private Connection connection;
    private JetStream jetStream;
    private CredentialSource credentials;

    public ScanWorker(WorkerConfig config) {
        this(config, CredentialClient.TIMEOUT);
    }

    /** @param credentialTimeout how long a scan waits for its credentials before it fails */
    ScanWorker(WorkerConfig config, Duration credentialTimeout) {
        this.credentialTimeout = credentialTimeout;
        this.config = config.validated();
        this.subjects = new Subjects(this.config.subjectPrefix(), Subjects.DEFAULT_STREAM_PREFIX);
        this.tools = Executors.newFixedThreadPool(this.config.maxConcurrency(), r -> daemon(r, "tool"));
    }

    public ScanWorker start() throws IOException, InterruptedException, java.util.concurrent.TimeoutException {
        Options.Builder options = new Options.Builder()
                .server(config.nats())
                .connectionName("scanflow-worker-" + config.workerId())
                // replies (JetStream publish acks, credential replies) under the worker's own
                // prefix, so NATS can allow it _INBOX.<id>.> rather than every client's inbox
                .inboxPrefix(subjects.inbox(config.workerId()))
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(500));
        if (config.natsSeed() != null) {
            options.authHandler(Nats.staticCredentials(null, config.natsSeed().toCharArray()));
        }
        connection = Nats.connect(options.build());
        jetStream = connection.jetStream();
        credentials = new CredentialClient(connection, subjects.credentials(config.workerId()), credentialTimeout);
        Dispatcher dispatcher = connection.createDispatcher(msg -> onCommand(msg.getData()));
        dispatcher.subscribe(subjects.command(config.workerId()));
        connection.flush(Duration.ofSeconds(5));
        heartbeats.scheduleAtFixedRate(this::heartbeat, 0, config.heartbeatSeconds(), TimeUnit.SECONDS);
        log("worker %s up: capabilities %s, tools %s, max %d, NATS %s", config.workerId(), config.capabilities(),
                config.toolNames(), config.maxConcurrency(), config.nats());
        return this;
    }

    public String workerId() {
        return config.workerId();
    }

    public int runningCount() {
        return running.size();
    }

    void onCommand(byte[] data) {
        Command command;
        try {
            command = ProtocolJson.read(data, Command.class);
        } catch (IOException e) {
            log("unreadable command ignored: %s", e.getMessage());
            return;
        }
        if (command == null || command.id() == null
                || command instanceof ScanCommand scan && (scan.payload() == null || scan.payload().stepConfig() == null
                        || scan.payload().target() == null)) {
            // JSON null, or a command without what it must carry: nothing to run or to report on
            log("incomplete command ignored: %s", command == null ? "null" : "id " + command.id());
            return;
        }
        String id = command.id();
        if (command instanceof CancelCommand) {
            ToolRun run = running.get(id);
            if (run != null) {
                log("cancel %s", id);
                run.cancel();
            }
        } else if (command instanceof ScanCommand scan) {
            synchronized (seen) {
                if (!seen.add(id)) {
                    return; // delivered again (at least once): already taken
                }
            }
            ToolRun run = new ToolRun(scan, config, this, credentials);
            running.put(id, run);
            log("scan %s: step %s, tool %s, target %s", id, scan.payload().stepId(),
                    scan.payload().stepConfig().get("tool"), scan.payload().target().name());
            tools.submit(() -> {
                try {
                    run.run();
                } finally {
                    running.remove(id);
                }
            });
        }
    }

    private void heartbeat() {
        try {
            Heartbeat hb = new Heartbeat(config.workerId(), config.tenantId(), config.capabilities(),
                    new ArrayList<>(config.toolNames()), config.maxConcurrency(), running.size(),
                    "scanflow-worker/2");
            connection.publish(subjects.heartbeat(config.workerId()), ProtocolJson.bytes(hb));
        } catch (Exception e) {
            log("heartbeat not sent: %s", e.getMessage());
        }
    }

    // ------------------------------------------------------------------ Reporter

    @Override
    public void running(String commandId) {
        report(StatusReport.running(commandId, config.workerId()));
    }

    @Override
    public void completed(String commandId, ScanReport report, long durationMs) {
        Integer sent = sendFindings(commandId, report);
        log("completed %s: %d findings %s%s", commandId, report.findingsCount(), report.findingsBySeverity(),
                sent == null ? " (records not sent)" : "");
        report(StatusReport.completed(commandId, config.workerId(), new StatusReport.Result(report.findingsCount(),
                new LinkedHashMap<>(report.findingsBySeverity()), durationMs,
                config.workerId() + "-" + commandId.substring(0, 8), report.output(), sent)));
    }

    /**
     * The findings' chunks, before the result that counts them: how many findings they hold, or
     * null when no stream takes them (the result then says nothing of records).
     */
    private Integer sendFindings(String commandId, ScanReport report) {
        List<FindingsChunk> chunks = FindingChunks.of(commandId, config.workerId(), report.findings());
        int sent = 0;
        for (FindingsChunk chunk : chunks) {
            if (!publish(subjects.findings(config.workerId()), ProtocolJson.bytes(chunk),
                    "findings chunk " + chunk.chunk() + " for " + commandId, NO_STREAM_ATTEMPTS)) {
                if (Thread.currentThread().isInterrupted()) {
                    return null; // the worker is closing
                }
                log("no stream takes %s: findings of %s reported as counts only", subjects.findings(config.workerId()),
                        commandId);
                return null;
            }
            sent += chunk.findings().size();
        }
        return sent;
    }

    @Override
    public void failed(String commandId, String code, String message) {
        log("failed %s: %s %s", commandId, code, message.lines().findFirst().orElse(""));
        report(StatusReport.failed(commandId, config.workerId(), code,
                message.length() > 4000 ? message.substring(0, 4000) : message));
    }

    @Override
    public void cancelled(String commandId) {
        log("cancelled %s", commandId);
        report(StatusReport.cancelled(commandId, config.workerId()));
    }

    @Override
    public void log(String commandId, long seq, String line) {
        try {
            // logs may be lost in an outage; results may not (below)
            jetStream.publishAsync(subjects.log(config.workerId()), ProtocolJson.bytes(new LogLine(commandId, seq, line)));
        } catch (Exception e) {
            // best effort
        }
    }

    /** Results go through JetStream and are retried until the stream has them. */
    private void report(StatusReport report) {
        publish(subjects.result(config.workerId()), ProtocolJson.bytes(report),
                "result " + report.status() + " for " + report.commandId(), Integer.MAX_VALUE);
    }

    /**
     * Publishes with JetStream, retrying until the stream has the message; false after
     * {@code noStreamAttempts} answers that no stream takes the subject (or when interrupted).
     */
    private boolean publish(String subject, byte[] body, String what, int noStreamAttempts) {
        long delay = 200;
        int noStream = 0;
        while (true) {
            try {
                jetStream.publish(subject, body);
                return true;
            } catch (Exception e) {
                // jnats: "Error Publishing: 503 No Responders Available For Request"
                if (String.valueOf(e.getMessage()).contains("No Responders") && ++noStream >= noStreamAttempts) {
                    return false;
                }
                log("%s not stored yet (%s); retrying", what, e.getMessage());
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                delay = Math.min(delay * 2, 5_000);
            }
        }
    }

    /** Stops taking commands and kills running tools; Scanflow gives their steps to other workers. */
    @Override
    public void close() throws InterruptedException {
        heartbeats.shutdownNow();
        running.values().forEach(ToolRun::abandon);
        tools.shutdownNow();
        if (connection != null) {
            connection.close();
        }
    }

    static void log(String format, Object... args) {
        System.err.println(Instant.now() + " scanflow-worker " + String.format(format, args));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, "scanflow-worker-" + name);
        t.setDaemon(true);
        return t;
    }
}
