package dev.scanflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Scanflow's reference scanner worker. It speaks only worker protocol v1 (docs/protocol.md):
 * heartbeats, commands on its own subject, results and logs on its own subjects. It never
 * touches Scanflow's database. Each scan runs the configured tool as a child process.
 */
public final class ScanWorker implements AutoCloseable, Reporter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SEEN_LIMIT = 10_000;

    private final WorkerConfig config;
    private final Map<String, ToolRun> running = new ConcurrentHashMap<>();
    private final Set<String> seen = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > SEEN_LIMIT;
        }
    });
    private final ExecutorService tools;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "heartbeat"));
    private Connection connection;
    private JetStream jetStream;

    public ScanWorker(WorkerConfig config) {
        this.config = config.validated();
        this.tools = Executors.newFixedThreadPool(this.config.maxConcurrency(), r -> daemon(r, "tool"));
    }

    public ScanWorker start() throws IOException, InterruptedException, java.util.concurrent.TimeoutException {
        connection = Nats.connect(new Options.Builder()
                .server(config.nats())
                .connectionName("scanflow-worker-" + config.workerId())
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(500))
                .build());
        jetStream = connection.jetStream();
        Dispatcher dispatcher = connection.createDispatcher(msg -> onCommand(msg.getData()));
        dispatcher.subscribe(config.subjectPrefix() + ".commands." + config.workerId());
        connection.flush(Duration.ofSeconds(5));
        heartbeats.scheduleAtFixedRate(this::heartbeat, 0, config.heartbeatSeconds(), TimeUnit.SECONDS);
        log("worker %s up: capabilities %s, tools %s, max %d, NATS %s", config.workerId(), config.capabilities(),
                config.tools().keySet(), config.maxConcurrency(), config.nats());
        return this;
    }

    public String workerId() {
        return config.workerId();
    }

    public int runningCount() {
        return running.size();
    }

    void onCommand(byte[] data) {
        JsonNode cmd;
        try {
            cmd = JSON.readTree(data);
        } catch (IOException e) {
            log("unreadable command ignored: %s", e.getMessage());
            return;
        }
        String id = cmd.path("id").asText("");
        switch (cmd.path("type").asText("")) {
            case "cancel" -> {
                ToolRun run = running.get(id);
                if (run != null) {
                    log("cancel %s", id);
                    run.cancel();
                }
            }
            case "scan" -> {
                synchronized (seen) {
                    if (!seen.add(id)) {
                        return; // delivered again (at least once): already taken
                    }
                }
                ToolRun run = new ToolRun(cmd, config, this);
                running.put(id, run);
                log("scan %s: step %s, tool %s, target %s", id, cmd.path("payload").path("step_id").asText(),
                        cmd.path("payload").path("step_config").path("tool").asText(),
                        cmd.path("payload").path("target").path("name").asText());
                tools.submit(() -> {
                    try {
                        run.run();
                    } finally {
                        running.remove(id);
                    }
                });
            }
            default -> log("command of unknown type ignored: %s", cmd.path("type").asText());
        }
    }

    private void heartbeat() {
        try {
            ObjectNode hb = JSON.createObjectNode();
            hb.put("worker_id", config.workerId());
            hb.put("tenant_id", config.tenantId());
            hb.set("capabilities", JSON.valueToTree(config.capabilities()));
            hb.set("tools", JSON.valueToTree(new ArrayList<>(config.tools().keySet())));
            hb.put("max_concurrency", config.maxConcurrency());
            hb.put("active_commands", running.size());
            hb.put("version", "scanflow-worker/1.0");
            connection.publish(config.subjectPrefix() + ".workers.heartbeat", JSON.writeValueAsBytes(hb));
        } catch (Exception e) {
            log("heartbeat not sent: %s", e.getMessage());
        }
    }

    // ------------------------------------------------------------------ Reporter

    @Override
    public void running(String commandId) {
        report(commandId, "running", null, null);
    }

    @Override
    public void completed(String commandId, ScanReport report, long durationMs) {
        ObjectNode result = JSON.createObjectNode();
        result.put("findings_count", report.findingsCount());
        result.set("findings_by_severity", JSON.valueToTree(report.findingsBySeverity()));
        result.put("duration_ms", durationMs);
        result.put("scan_id", config.workerId() + "-" + commandId.substring(0, 8));
        result.set("output", JSON.valueToTree(report.output()));
        log("completed %s: %d findings %s", commandId, report.findingsCount(), report.findingsBySeverity());
        report(commandId, "completed", result, null);
    }

    @Override
    public void failed(String commandId, String code, String message) {
        ObjectNode error = JSON.createObjectNode();
        error.put("code", code);
        error.put("message", message.length() > 4000 ? message.substring(0, 4000) : message);
        log("failed %s: %s %s", commandId, code, message.lines().findFirst().orElse(""));
        report(commandId, "failed", null, error);
    }

    @Override
    public void cancelled(String commandId) {
        log("cancelled %s", commandId);
        report(commandId, "cancelled", null, null);
    }

    @Override
    public void log(String commandId, long seq, String line) {
        ObjectNode l = JSON.createObjectNode();
        l.put("command_id", commandId);
        l.put("seq", seq);
        l.put("line", line);
        try {
            // logs may be lost in an outage; results may not (below)
            jetStream.publishAsync(config.subjectPrefix() + ".logs." + config.workerId(), JSON.writeValueAsBytes(l));
        } catch (Exception e) {
            // best effort
        }
    }

    /** Results go through JetStream and are retried until the stream has them. */
    private void report(String commandId, String status, ObjectNode result, ObjectNode error) {
        ObjectNode r = JSON.createObjectNode();
        r.put("command_id", commandId);
        r.put("worker_id", config.workerId());
        r.put("status", status);
        if (result != null) {
            r.set("result", result);
        }
        if (error != null) {
            r.set("error", error);
        }
        String subject = config.subjectPrefix() + ".results." + config.workerId();
        long delay = 200;
        while (true) {
            try {
                jetStream.publish(subject, JSON.writeValueAsBytes(r));
                return;
            } catch (Exception e) {
                log("result %s for %s not stored yet (%s); retrying", status, commandId, e.getMessage());
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
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
