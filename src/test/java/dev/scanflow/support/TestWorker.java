package dev.scanflow.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.FindingsChunk;
import dev.scanflow.protocol.Heartbeat;
import dev.scanflow.protocol.LogLine;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.StatusReport;
import dev.scanflow.protocol.Subjects;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.awaitility.Awaitility;

/**
 * A worker that speaks the protocol over NATS with jnats, as any worker would: heartbeats, reads
 * its command subject, reports status, results and logs, with the records and subjects of
 * {@code dev.scanflow.protocol}. Commands are kept as the JSON that arrived, for tests to read.
 * What it does with a scan command is up to the test ({@link #onScan}); by default it completes
 * at once with no findings.
 */
public final class TestWorker implements AutoCloseable {

    public static final String PREFIX = "scanflowtest";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Subjects subjects;
    private final String id;
    private final UUID tenant;
    private final List<String> capabilities;
    private final List<String> tools;
    private volatile int maxConcurrency;
    private final Connection connection;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
    private final List<JsonNode> commands = new CopyOnWriteArrayList<>();
    private final List<JsonNode> cancels = new CopyOnWriteArrayList<>();
    private final java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ExecutorService work = Executors.newSingleThreadExecutor();
    private volatile BiConsumer<TestWorker, JsonNode> onScan = (w, cmd) -> w.complete(cmd, 0, Map.of());

    /**
     * A worker of the service under test (the test profile's subjects, the local NATS),
     * registered through its API first, as protocol 2 wants.
     */
    public TestWorker(String id, UUID tenant, List<String> capabilities, List<String> tools, int maxConcurrency)
            throws Exception {
        this("nats://127.0.0.1:4222", PREFIX, id, tenant, capabilities, tools, maxConcurrency);
        register(null);
    }

    /**
     * Registers this worker with the service at {@code baseUri} (null: the test's own service):
     * its tenant's admin does it, or a platform-admin for a shared worker; room for up to 1000
     * commands, so tests can change the capacity it announces. A registration that exists is kept.
     */
    public TestWorker register(String baseUri) {
        String token = tenant != null ? TestTokens.admin(tenant) : TestTokens.token(UUID.randomUUID(), "platform-admin");
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("worker_id", id);
        body.put("tenant_id", tenant == null ? null : tenant.toString());
        body.put("capabilities", capabilities);
        body.put("tools", tools);
        body.put("max_concurrency", 1000);
        var request = io.restassured.RestAssured.given().auth().oauth2(token).contentType("application/json").body(body);
        if (baseUri != null) {
            request = request.baseUri(baseUri);
        }
        int status = request.post("/api/v1/workers").statusCode();
        if (status != 201 && status != 409) {
            throw new IllegalStateException("registering " + id + " answered " + status);
        }
        heartbeat();
        return this;
    }

    public TestWorker(String server, String prefix, String id, UUID tenant, List<String> capabilities,
            List<String> tools, int maxConcurrency) throws Exception {
        this.subjects = new Subjects(prefix, Subjects.DEFAULT_STREAM_PREFIX);
        this.id = id;
        this.tenant = tenant;
        this.capabilities = capabilities;
        this.tools = tools;
        this.maxConcurrency = maxConcurrency;
        // replies under its own inbox prefix, as NATS permissions make a registered worker do
        this.connection = Nats.connect(new io.nats.client.Options.Builder().server(server).maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(200)).inboxPrefix(subjects.inbox(id)).build());
        // Like a real worker: the NATS callback only hands commands over; the work happens on the
        // worker's own thread, and a command seen before (a re-published one) is not run again.
        Dispatcher dispatcher = connection.createDispatcher(msg -> {
            try {
                JsonNode cmd = JSON.readTree(msg.getData());
                if ("cancel".equals(cmd.path("type").asText())) {
                    cancels.add(cmd);
                } else if (seen.add(cmd.path("id").asText())) {
                    commands.add(cmd);
                    work.submit(() -> onScan.accept(this, cmd));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        dispatcher.subscribe(subjects.command(id));
        connection.flush(Duration.ofSeconds(2));
        heartbeats.scheduleAtFixedRate(() -> {
            try {
                heartbeat();
            } catch (RuntimeException e) {
                // NATS may be restarting; the next beat tries again
            }
        }, 0, 300, TimeUnit.MILLISECONDS);
    }

    /** A worker dedicated to the tenant, with a random id. */
    public static TestWorker dedicated(UUID tenant, String capability, String tool) throws Exception {
        return new TestWorker("w-" + capability + "-" + UUID.randomUUID().toString().substring(0, 8), tenant,
                List.of(capability), tool == null ? List.of() : List.of(tool), 4);
    }

    public TestWorker onScan(BiConsumer<TestWorker, JsonNode> behaviour) {
        this.onScan = behaviour;
        return this;
    }

    public String id() {
        return id;
    }

    public void heartbeat() {
        publish(subjects.heartbeat(id), new Heartbeat(id, tenant == null ? null : tenant.toString(), capabilities, tools,
                maxConcurrency, 0, "test-worker"));
    }

    /** Announces a new capacity from the next heartbeat on. */
    public void maxConcurrency(int max) {
        this.maxConcurrency = max;
        heartbeat();
    }

    public void stopHeartbeats() {
        heartbeats.shutdownNow();
    }

    /** Waits until the service has this worker online (its heartbeat was stored). */
    public TestWorker awaitRegistered(java.util.function.BooleanSupplier registered) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(registered::getAsBoolean);
        return this;
    }

    // ------------------------------------------------------------------ reports

    public void running(JsonNode cmd) {
        report(StatusReport.running(cmd.path("id").asText(), id));
    }

    public void complete(JsonNode cmd, int findings, Map<String, Object> output) {
        running(cmd);
        report(StatusReport.completed(cmd.path("id").asText(), id, new StatusReport.Result(findings,
                Map.of("high", findings), 5L, "scan-" + cmd.path("id").asText().substring(0, 8), output)));
    }

    /**
     * Reports the command completed with exactly the design document's "Worker Response": no
     * running report before it, no worker_id in the body (the subject names the worker).
     */
    public void completeAsDocumented(JsonNode cmd, int findings) {
        report(StatusReport.completed(cmd.path("id").asText(), null, new StatusReport.Result(findings, null, 45000L,
                "scan-" + cmd.path("payload").path("step_id").asText(), null)));
    }

    /**
     * Sends the findings as a worker of protocol 2.2 does (in chunks of {@code chunkSize}, on its
     * findings subject), then reports the command completed with {@code findings_sent}.
     */
    public void completeWithFindings(JsonNode cmd, java.util.List<Finding> findings, int chunkSize,
            Map<String, Object> output) {
        running(cmd);
        sendFindings(cmd, findings, chunkSize);
        completeHaving(cmd, findings, findings.size(), output);
    }

    /** The chunks of these findings, numbered from 0. */
    public void sendFindings(JsonNode cmd, java.util.List<Finding> findings, int chunkSize) {
        for (int i = 0, chunk = 0; i < findings.size(); i += chunkSize, chunk++) {
            sendChunk(cmd, chunk, findings.subList(i, Math.min(findings.size(), i + chunkSize)));
        }
    }

    public void sendChunk(JsonNode cmd, int chunk, java.util.List<Finding> findings) {
        publishDurably(subjects.findings(id), new FindingsChunk(cmd.path("id").asText(), id, chunk, findings));
    }

    /** The completed report alone, saying {@code sent} findings were sent, counted by severity from {@code findings}. */
    public void completeHaving(JsonNode cmd, java.util.List<Finding> findings, int sent, Map<String, Object> output) {
        Map<String, Object> bySeverity = new java.util.LinkedHashMap<>();
        findings.forEach(f -> bySeverity.merge(f.severity(), 1, (x, y) -> (Integer) x + (Integer) y));
        report(StatusReport.completed(cmd.path("id").asText(), id, new StatusReport.Result(findings.size(), bySeverity,
                5L, null, output, sent)));
    }

    public void fail(JsonNode cmd, String code, String message) {
        running(cmd);
        report(StatusReport.failed(cmd.path("id").asText(), id, code, message));
    }

    public void cancelled(JsonNode cmd) {
        report(StatusReport.cancelled(cmd.path("id").asText(), id));
    }

    public void log(JsonNode cmd, long seq, String line) {
        publishDurably(subjects.log(id), new LogLine(cmd.path("id").asText(), seq, line));
    }

    private void report(StatusReport report) {
        publishDurably(subjects.result(id), report);
    }

    /** The subjects this worker uses. */
    public Subjects subjects() {
        return subjects;
    }

    /**
     * Publishes through JetStream and waits for the stream's ack, trying again while NATS
     * recovers: what a careful worker does with results (a plain publish is at most once).
     */
    public void publishDurably(String subject, Object body) {
        long deadline = System.currentTimeMillis() + 30_000;
        long reconnectAt = System.currentTimeMillis() + 6_000;
        while (true) {
            try {
                connection.jetStream().publish(subject, ProtocolJson.bytes(body));
                return;
            } catch (Exception e) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("could not publish to " + subject, e);
                }
                if (System.currentTimeMillis() > reconnectAt) {
                    // the same remedy as the service: a fresh connection after NATS restarted
                    // (again every 5 s: on a loaded machine the first one can come too early)
                    System.err.println("TestWorker " + id + ": forcing a NATS reconnection");
                    reconnectAt = System.currentTimeMillis() + 5_000;
                    try {
                        connection.forceReconnect();
                    } catch (Exception re) {
                        // keep trying to publish
                    }
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Asks for a command's credentials as a worker does (protocol 2.2): a core NATS request on its
     * own credentials subject, the reply under its inbox; the reply as JSON, or null when none came.
     */
    public JsonNode requestCredentials(String commandId) {
        return request(subjects.credentials(id), new dev.scanflow.protocol.CredentialRequest(commandId));
    }

    /**
     * A core NATS request on any subject (for requests as another worker; bytes are sent as they
     * are), the reply as JSON, or null when none came within 5 s.
     */
    public JsonNode request(String subject, Object body) {
        io.nats.client.Message reply;
        try {
            reply = connection.request(subject, body instanceof byte[] raw ? raw : ProtocolJson.bytes(body),
                    Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (RuntimeException e) {
            return null; // no responders, a timeout: no reply
        }
        try {
            return reply == null || reply.isStatusMessage() ? null : JSON.readTree(reply.getData());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Publishes anything on any subject: for spoofing and garbage tests. */
    public void publish(String subject, Object body) {
        try {
            connection.publish(subject, body instanceof byte[] raw ? raw : ProtocolJson.bytes(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ what it received

    public List<JsonNode> commands() {
        return List.copyOf(commands);
    }

    public List<JsonNode> commandsFor(String stepId) {
        return commands.stream().filter(c -> stepId.equals(c.path("payload").path("step_id").asText())).toList();
    }

    public List<JsonNode> cancels() {
        return List.copyOf(cancels);
    }

    public JsonNode awaitCommand(String stepId) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !commandsFor(stepId).isEmpty());
        return commandsFor(stepId).get(commandsFor(stepId).size() - 1);
    }

    @Override
    public void close() throws Exception {
        heartbeats.shutdownNow();
        work.shutdownNow();
        connection.close();
    }
}
