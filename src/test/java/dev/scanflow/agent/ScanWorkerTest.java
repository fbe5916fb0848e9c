package dev.scanflow.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.protocol.Subjects;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference worker against the real NATS server, with the test playing Scanflow's part:
 * it sends commands and reads the worker's heartbeats, results, findings and logs. Real nmap;
 * fake tools (scripts) for SARIF, crashes and hangs.
 */
class ScanWorkerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "agenttest" + UUID.randomUUID().toString().substring(0, 6);
    private static final Subjects SUBJECTS = new Subjects(PREFIX, PREFIX.toUpperCase());
    private static Connection nats;

    private final List<JsonNode> results = new CopyOnWriteArrayList<>();
    private final List<JsonNode> findings = new CopyOnWriteArrayList<>();
    private final List<JsonNode> logs = new CopyOnWriteArrayList<>();
    private final List<JsonNode> heartbeats = new CopyOnWriteArrayList<>();
    private ScanWorker worker;
    private String workerId;
    private Path workdir;

    @BeforeAll
    static void streams() throws Exception {
        nats = Nats.connect("nats://127.0.0.1:4222");
        WorkerStreams.create(nats, SUBJECTS);
    }

    @AfterAll
    static void dropStreams() throws Exception {
        WorkerStreams.drop(nats, SUBJECTS);
        nats.close();
    }

    @BeforeEach
    void startWorker(@TempDir Path workdir) throws Exception {
        this.workdir = workdir;
        workerId = "w-agent-" + UUID.randomUUID().toString().substring(0, 8);
        var d = nats.createDispatcher(msg -> {
            try {
                JsonNode node = JSON.readTree(msg.getData());
                if (msg.getSubject().contains(".results.")) {
                    results.add(node);
                } else if (msg.getSubject().contains(".findings.")) {
                    findings.add(node);
                } else if (msg.getSubject().contains(".logs.")) {
                    logs.add(node);
                } else if (workerId.equals(node.path("worker_id").asText())) {
                    heartbeats.add(node);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        d.subscribe(SUBJECTS.result(workerId));
        d.subscribe(SUBJECTS.findings(workerId));
        d.subscribe(SUBJECTS.log(workerId));
        d.subscribe(SUBJECTS.heartbeats());
        String tools = Path.of("src/test/resources/agent/tools").toAbsolutePath() + "/";
        WorkerConfig config = new WorkerConfig(workerId, null, "nats://127.0.0.1:4222", PREFIX,
                List.of("network", "sast"), 3, 1, workdir.toString(), Map.of(
                        "nmap", new WorkerConfig.ToolConfig(List.of("nmap", "-Pn", "-n", "-p", "{config.ports}", "-oX",
                                "{output_file}", "{target.host}"), "nmap-xml", null, null),
                        "semgrep", new WorkerConfig.ToolConfig(List.of("bash", tools + "fake-sarif.sh", "{output_file}",
                                "{target.name}"), "sarif", List.of("0", "1"), null),
                        "crasher", new WorkerConfig.ToolConfig(List.of("bash", tools + "crash.sh"), "none", null, null),
                        "quiet", new WorkerConfig.ToolConfig(List.of("true"), "none", null, null),
                        "hanger", new WorkerConfig.ToolConfig(List.of("bash", tools + "hang.sh", "{workdir}/pids"), "none",
                                null, null)));
        worker = new ScanWorker(config).start();
    }

    @AfterEach
    void stopWorker() throws Exception {
        worker.close();
    }

    private String send(String tool, Map<String, Object> config, Map<String, Object> target, int timeout) throws Exception {
        String id = UUID.randomUUID().toString();
        Map<String, Object> stepConfig = new java.util.LinkedHashMap<>(config);
        stepConfig.put("tool", tool);
        Map<String, Object> cmd = Map.of("id", id, "type", "scan", "priority", "normal", "tenant_id", UUID.randomUUID().toString(),
                "attempt", 1, "timeout_seconds", timeout,
                "payload", Map.of("pipeline_run_id", UUID.randomUUID().toString(), "step_id", "s",
                        "step_config", stepConfig, "target", target, "context", Map.of(), "upstream", Map.of()));
        nats.publish(SUBJECTS.command(workerId), JSON.writeValueAsBytes(cmd));
        return id;
    }

    private JsonNode awaitResult(String commandId, String status) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> results.stream()
                .anyMatch(r -> r.path("command_id").asText().equals(commandId) && r.path("status").asText().equals(status)));
        return results.stream().filter(r -> r.path("command_id").asText().equals(commandId)
                && r.path("status").asText().equals(status)).findFirst().orElseThrow();
    }

    private List<JsonNode> awaitChunks(String commandId) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !chunksOf(commandId).isEmpty());
        return chunksOf(commandId);
    }

    private List<JsonNode> chunksOf(String commandId) {
        return findings.stream().filter(c -> c.path("command_id").asText().equals(commandId))
                .sorted(java.util.Comparator.comparingInt(c -> c.path("chunk").asInt())).toList();
    }

    @Test
    void heartbeatsAdvertiseWhatTheWorkerHas() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !heartbeats.isEmpty());
        JsonNode hb = heartbeats.get(0);
        assertTrue(hb.path("tenant_id").isNull());
        assertEquals(3, hb.path("max_concurrency").asInt());
        assertEquals(List.of("network", "sast"), JSON.convertValue(hb.path("capabilities"), List.class));
        assertTrue(JSON.convertValue(hb.path("tools"), List.class).contains("nmap"));
    }

    @Test
    void realNmapFindsThePortTheTestOpened() throws Exception {
        try (ServerSocket open = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = open.getLocalPort();
            String id = send("nmap", Map.of("ports", List.of(port, port + 1 == 65536 ? 1 : port + 1)),
                    Map.of("type", "ip_address", "name", "127.0.0.1"), 60);
            awaitResult(id, "running");
            JsonNode done = awaitResult(id, "completed");
            assertEquals(List.of(port), JSON.convertValue(done.path("result").path("output").path("open_ports"), List.class));
            assertEquals(1, done.path("result").path("findings_count").asInt());
            assertEquals(1, done.path("result").path("findings_sent").asInt());
            assertEquals(workerId, done.path("worker_id").asText());
            // the chunk is stored before the result that counts it
            JsonNode openPort = awaitChunks(id).get(0).path("findings").get(0);
            assertEquals("open-port", openPort.path("rule_id").asText());
            assertEquals("network", openPort.path("kind").asText());
            assertEquals("nmap", openPort.path("tool").asText());
            assertEquals(port, openPort.path("location").path("port").asInt());
            assertEquals("127.0.0.1", openPort.path("location").path("host").asText());
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> logs.stream()
                    .anyMatch(l -> l.path("command_id").asText().equals(id) && l.path("line").asText().startsWith("$ nmap")));
        }
    }

    @Test
    void sarifResultsAreParsedAndLogsStreamed() throws Exception {
        String id = send("semgrep", Map.of(), Map.of("type", "repository", "name", "acme/api"), 60);
        JsonNode done = awaitResult(id, "completed");
        assertEquals(4, done.path("result").path("findings_count").asInt());
        assertEquals(1, done.path("result").path("findings_by_severity").path("critical").asInt());
        assertEquals(4, done.path("result").path("findings_sent").asInt());
        List<JsonNode> chunks = awaitChunks(id);
        assertEquals(1, chunks.size());
        assertEquals(0, chunks.get(0).path("chunk").asInt());
        assertEquals(workerId, chunks.get(0).path("worker_id").asText());
        JsonNode first = chunks.get(0).path("findings").get(0);
        assertEquals(4, chunks.get(0).path("findings").size());
        assertEquals("semgrep", first.path("tool").asText(), "the tool as the worker names it");
        assertEquals("python.lang.security.audit.eval-detected.eval-detected", first.path("rule_id").asText());
        assertEquals("app/handlers.py", first.path("location").path("file").asText());
        assertEquals(42, first.path("location").path("start_line").asInt());
        assertEquals("secret", chunks.get(0).path("findings").get(2).path("kind").asText());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> logs.stream()
                .filter(l -> l.path("command_id").asText().equals(id)).count() >= 4);
        List<Long> seqs = logs.stream().filter(l -> l.path("command_id").asText().equals(id))
                .map(l -> l.path("seq").asLong()).sorted().toList();
        assertEquals(1L, seqs.get(0));
        assertTrue(logs.stream().anyMatch(l -> l.path("line").asText().equals("scanning acme/api")));
    }

    @Test
    void aCrashReportsTheExitCodeAndTheLastLinesOfStderr() throws Exception {
        String id = send("crasher", Map.of(), Map.of("name", "x"), 60);
        JsonNode failed = awaitResult(id, "failed");
        assertEquals("EXIT_3", failed.path("error").path("code").asText());
        String message = failed.path("error").path("message").asText();
        assertTrue(message.contains("exited with 3"), message);
        assertTrue(message.contains("fatal: giving up"), message);
    }

    @Test
    void aScanWithoutFindingsSendsNoChunkAndSaysSo() throws Exception {
        String id = send("quiet", Map.of(), Map.of("name", "x"), 60);
        JsonNode done = awaitResult(id, "completed");
        assertEquals(0, done.path("result").path("findings_count").asInt());
        assertTrue(done.path("result").path("findings_sent").isInt(), done.toString());
        assertEquals(0, done.path("result").path("findings_sent").asInt());
        assertEquals(List.of(), chunksOf(id));
    }

    @Test
    void withoutAFindingsStreamTheResultGoesAsCounts() throws Exception {
        // a Scanflow from before findings records: nothing captures <prefix>.findings.<worker>
        String prefix = PREFIX + "old";
        Subjects old = new Subjects(prefix, prefix.toUpperCase());
        JetStreamManagement jsm = nats.jetStreamManagement();
        jsm.addStream(StreamConfiguration.builder().name(old.stream("RESULTS")).subjects(old.results()).build());
        String oldWorker = "w-old-" + UUID.randomUUID().toString().substring(0, 8);
        List<JsonNode> oldResults = new CopyOnWriteArrayList<>();
        var d = nats.createDispatcher(msg -> {
            try {
                oldResults.add(JSON.readTree(msg.getData()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        d.subscribe(old.result(oldWorker));
        String tools = Path.of("src/test/resources/agent/tools").toAbsolutePath() + "/";
        try (ScanWorker w = new ScanWorker(new WorkerConfig(oldWorker, null, "nats://127.0.0.1:4222", prefix,
                List.of("sast"), 1, 1, workdir.toString(), Map.of("semgrep", new WorkerConfig.ToolConfig(
                        List.of("bash", tools + "fake-sarif.sh", "{output_file}", "{target.name}"), "sarif", null, null))))
                .start()) {
            String id = UUID.randomUUID().toString();
            nats.publish(old.command(oldWorker), JSON.writeValueAsBytes(Map.of("id", id, "type", "scan", "attempt", 1,
                    "timeout_seconds", 60, "payload", Map.of("step_id", "s", "step_config", Map.of("tool", "semgrep"),
                            "target", Map.of("name", "old")))));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> oldResults.stream()
                    .anyMatch(r -> r.path("command_id").asText().equals(id) && r.path("status").asText().equals("completed")));
            JsonNode done = oldResults.stream().filter(r -> r.path("status").asText().equals("completed")).findFirst()
                    .orElseThrow();
            assertEquals(4, done.path("result").path("findings_count").asInt());
            assertTrue(done.path("result").path("findings_sent").isMissingNode(), done.toString());
        } finally {
            nats.closeDispatcher(d);
            jsm.deleteStream(old.stream("RESULTS"));
        }
    }

    @Test
    void aHangingToolIsKilledAtItsTimeout() throws Exception {
        String id = send("hanger", Map.of(), Map.of("name", "x"), 1);
        JsonNode failed = awaitResult(id, "failed");
        assertEquals("TIMEOUT", failed.path("error").path("code").asText());
    }

    @Test
    void cancelKillsTheToolAndItsChildren() throws Exception {
        String id = send("hanger", Map.of(), Map.of("name", "x"), 600);
        awaitResult(id, "running");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> worker.runningCount() == 1);
        // the pid file sits in the command's work directory under the worker's workdir
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            Path p = findPids();
            return p != null && Files.readAllLines(p).size() == 2;
        });
        Path pids = findPids();
        List<Long> processes = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
        nats.publish(SUBJECTS.command(workerId), JSON.writeValueAsBytes(Map.of("id", id, "type", "cancel")));
        awaitResult(id, "cancelled");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> processes.stream()
                .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
        assertFalse(results.stream().anyMatch(r -> r.path("command_id").asText().equals(id)
                && r.path("status").asText().equals("failed")));
    }

    @Test
    void aNullOrHalfCommandIsIgnoredAndTheWorkerGoesOn() throws Exception {
        // JSON null, no id, a scan without its payload: logged and dropped, nothing thrown into jnats
        worker.onCommand("null".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        worker.onCommand("{\"type\":\"scan\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        worker.onCommand(("{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"scan\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(0, worker.runningCount());
        awaitResult(send("semgrep", Map.of(), Map.of("name", "after-garbage"), 60), "completed");
    }

    @Test
    void aCommandDeliveredTwiceRunsOnce() throws Exception {
        String id = UUID.randomUUID().toString();
        byte[] cmd = JSON.writeValueAsBytes(Map.of("id", id, "type", "scan", "attempt", 1, "timeout_seconds", 60,
                "payload", Map.of("step_id", "s", "step_config", Map.of("tool", "semgrep"),
                        "target", Map.of("name", "twice"))));
        nats.publish(SUBJECTS.command(workerId), cmd);
        nats.publish(SUBJECTS.command(workerId), cmd);
        awaitResult(id, "completed");
        Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10)).until(() -> results.stream()
                .filter(r -> r.path("command_id").asText().equals(id) && r.path("status").asText().equals("running"))
                .count() == 1);
    }

    @Test
    void anUnknownToolFailsClearly() throws Exception {
        String id = send("zap", Map.of(), Map.of("name", "x"), 60);
        JsonNode failed = awaitResult(id, "failed");
        assertEquals("NO_TOOL", failed.path("error").path("code").asText());
    }

    private Path findPids() throws java.io.IOException {
        Path root = workdir;
        try (var files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().equals("pids")).findFirst().orElse(null);
        }
    }

}
