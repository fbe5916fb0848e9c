package dev.scanflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.FindingsChunk;
import dev.scanflow.protocol.Heartbeat;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.StatusReport;
import dev.scanflow.protocol.Subjects;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One step that reports many findings (bench/run.sh, "Findings"): a simulated protocol-2.2
 * worker sends {@code --findings} dependency findings in chunks of the protocol's size, one in
 * ten chunks twice (as after lost acks), then its result. Measured: the time from its first
 * chunk to the run's completion, twice (all new, then all unchanged), the rows written, and the
 * service's heap (JVM heap in use, sampled from /q/metrics every 100 ms) before and at its peak.
 */
public final class FindingsBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.eE+]+)",
            Pattern.MULTILINE);

    private FindingsBench() {
    }

    public static void main(String[] args) {
        try {
            run(args);
            System.exit(0);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1); // the NATS connection and the heartbeat would keep the JVM alive
        }
    }

    static void run(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String base = a.getOrDefault("base", "http://127.0.0.1:8080");
        String token = a.get("token");
        int count = Integer.parseInt(a.getOrDefault("findings", "50000"));
        Subjects subjects = new Subjects(a.getOrDefault("prefix", "scanflow"), Subjects.DEFAULT_STREAM_PREFIX);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String workerId = "w-findings-" + UUID.randomUUID().toString().substring(0, 8);
        Bench.post(http, base + "/api/v1/workers", token, "{\"worker_id\":\"" + workerId + "\",\"tenant_id\":null,"
                + "\"capabilities\":[\"findings\"],\"tools\":[\"trivy\"],\"max_concurrency\":1}");
        String pipeline = JSON.readTree(Bench.post(http, base + "/api/v1/pipelines", token,
                "{\"name\":\"findings-" + UUID.randomUUID() + "\",\"steps\":[{\"id\":\"sca\",\"tool\":\"trivy\","
                        + "\"capabilities\":[\"findings\"]}]}")).path("id").asText();
        String asset = JSON.readTree(Bench.post(http, base + "/api/v1/assets", token,
                "{\"type\":\"repository\",\"name\":\"findings-" + UUID.randomUUID() + "\"}")).path("id").asText();
        List<Finding> findings = findings(count);
        Connection nats = Nats.connect(a.getOrDefault("nats", "nats://127.0.0.1:4222"));
        JetStream js = nats.jetStream();
        AtomicLong firstChunkAt = new AtomicLong();
        var dispatcher = nats.createDispatcher(msg -> {
            try {
                JsonNode cmd = JSON.readTree(msg.getData());
                if (!"scan".equals(cmd.path("type").asText())) {
                    return;
                }
                String id = cmd.path("id").asText();
                firstChunkAt.set(System.nanoTime());
                List<CompletableFuture<?>> acks = new ArrayList<>();
                int size = FindingsChunk.MAX_FINDINGS;
                for (int i = 0, chunk = 0; i < findings.size(); i += size, chunk++) {
                    byte[] body = ProtocolJson.bytes(new FindingsChunk(id, workerId, chunk,
                            findings.subList(i, Math.min(findings.size(), i + size))));
                    acks.add(js.publishAsync(subjects.findings(workerId), body));
                    if (chunk % 10 == 0) {
                        acks.add(js.publishAsync(subjects.findings(workerId), body));
                    }
                }
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
                js.publish(subjects.result(workerId), ProtocolJson.bytes(StatusReport.completed(id, workerId,
                        new StatusReport.Result(findings.size(), Map.of(), null, null, Map.of("tool", "trivy"),
                                findings.size()))));
            } catch (Exception e) {
                System.err.println("findings not sent: " + e);
            }
        });
        dispatcher.subscribe(subjects.command(workerId));
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
        heartbeat.scheduleAtFixedRate(() -> {
            try {
                nats.publish(subjects.heartbeat(workerId), ProtocolJson.bytes(new Heartbeat(workerId, null,
                        List.of("findings"), List.of("trivy"), 1, 0, "bench")));
            } catch (Exception e) {
                // next beat
            }
        }, 0, 2, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 20_000;
        while (!Bench.get(http, base + "/api/v1/workers/" + workerId, token).contains("\"online\"")) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the findings worker did not come online");
            }
            Thread.sleep(100);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("findings", count);
        result.put("chunks", (count + FindingsChunk.MAX_FINDINGS - 1) / FindingsChunk.MAX_FINDINGS);
        result.put("heap_before_mb", heapMb(http, base, token));
        for (String phase : List.of("new", "unchanged")) {
            AtomicLong peak = new AtomicLong();
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet((long) heapMb(http, base, token), Math::max), 0, 100,
                    TimeUnit.MILLISECONDS);
            String run = JSON.readTree(Bench.post(http, base + "/api/v1/pipelines/" + pipeline + "/run", token,
                    "{\"asset_id\":\"" + asset + "\"}")).path("id").asText();
            JsonNode done = awaitEnd(http, base, token, run);
            long seconds = System.nanoTime() - firstChunkAt.get();
            sampler.shutdownNow();
            if (!"completed".equals(done.path("status").asText())) {
                throw new IllegalStateException("run " + run + " ended " + done.path("status").asText());
            }
            result.put(phase + "_seconds", seconds / 1e9);
            result.put(phase + "_findings_per_s", count / (seconds / 1e9));
            result.put(phase + "_count", done.path(phase + "_findings_count").asInt());
            result.put(phase + "_heap_peak_mb", peak.get());
        }
        try (var c = DriverManager.getConnection(a.get("jdbc"), "postgres", "");
                var s = c.prepareStatement("SELECT (SELECT count(*) FROM findings WHERE asset_id = ?::uuid), "
                        + "(SELECT count(*) FROM finding_observations o JOIN findings f ON f.id = o.finding_id "
                        + "WHERE f.asset_id = ?::uuid), pg_total_relation_size('findings') / 1048576.0")) {
            s.setString(1, asset);
            s.setString(2, asset);
            var rs = s.executeQuery();
            rs.next();
            result.put("finding_rows", rs.getLong(1));
            result.put("observation_rows", rs.getLong(2));
            result.put("findings_table_mb", rs.getDouble(3));
        }
        heartbeat.shutdownNow();
        nats.close();
        String out = JSON.writeValueAsString(result);
        System.out.println(out);
        if (a.containsKey("out")) {
            Files.writeString(Path.of(a.get("out")), out + "\n");
        }
    }

    /** n distinct dependency findings, one in ten high (FindingVolumeTest sends the same). */
    public static List<Finding> findings(int n) {
        List<Finding> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Finding("trivy", "CVE-2024-" + (10_000 + i), "vulnerable package " + i, i % 10 == 0 ? "high" : "low",
                    "dependency", Finding.Location.dependency("pkg-" + (i % 5_000), "1." + (i % 7),
                            "pkg:npm/pkg-" + (i % 5_000) + "@1." + (i % 7)), List.of("CWE-" + (i % 900)), null,
                    "a vulnerability in pkg-" + (i % 5_000) + ": upgrade to a fixed version", "{\"raw\": " + i + "}"));
        }
        return out;
    }

    private static JsonNode awaitEnd(HttpClient http, String base, String token, String run) throws Exception {
        long deadline = System.currentTimeMillis() + 600_000;
        while (System.currentTimeMillis() < deadline) {
            JsonNode r = JSON.readTree(Bench.get(http, base + "/api/v1/pipeline-runs/" + run, token));
            if (List.of("completed", "failed", "cancelled", "timeout").contains(r.path("status").asText())) {
                return r;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("run " + run + " did not end in 10 minutes");
    }

    private static double heapMb(HttpClient http, String base, String token) {
        try {
            String metrics = Bench.get(http, base + "/q/metrics", token);
            Matcher m = HEAP.matcher(metrics);
            double total = 0;
            while (m.find()) {
                total += Double.parseDouble(m.group(1));
            }
            return total / 1048576.0;
        } catch (Exception e) {
            return 0;
        }
    }
}
