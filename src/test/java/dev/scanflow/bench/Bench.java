package dev.scanflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.protocol.Heartbeat;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.StatusReport;
import dev.scanflow.protocol.Subjects;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StreamConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The orchestration benchmark (bench/run.sh drives it). Modes:
 * <ul>
 *   <li>{@code service}: simulated workers speak protocol v1 to a running Scanflow; {@code chains}
 *       runs of a {@code steps}-step chain are kept in flight (closed loop). A transition is a
 *       worker's result turning into the next command; its latency is measured from the result's
 *       publish to the next command's arrival, in this process.</li>
 *   <li>{@code bare}: the floor: per transition one transaction with the statements a transition
 *       needs in principle (lock the run, update two steps, insert the command, commit), a
 *       JetStream publish of the command, its receipt on a plain subscription, a JetStream publish
 *       of the result and its fetch from a durable pull consumer with an ack.</li>
 * </ul>
 * Prints one JSON object with the figures.
 */
public final class Bench {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Map<String, Object> result = switch (a.getOrDefault("mode", "service")) {
            case "service" -> service(a);
            case "bare" -> bare(a);
            case "reset" -> reset(a);
            case "schedules" -> schedules(a);
            case "burst" -> burst(a);
            default -> throw new IllegalArgumentException("mode: service, bare, schedules, burst or reset");
        };
        String out = JSON.writeValueAsString(result);
        System.out.println(out);
        if (a.containsKey("out")) {
            Files.writeString(Path.of(a.get("out")), out + "\n");
        }
        System.exit(0);
    }

    // ------------------------------------------------------------------ service

    static Map<String, Object> service(Map<String, String> a) throws Exception {
        String base = a.getOrDefault("base", "http://127.0.0.1:8080");
        String prefix = a.getOrDefault("prefix", "scanflow");
        Subjects subjects = new Subjects(prefix, Subjects.DEFAULT_STREAM_PREFIX);
        String token = a.get("token");
        int chains = Integer.parseInt(a.getOrDefault("chains", "32"));
        int steps = Integer.parseInt(a.getOrDefault("steps", "10"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "20"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "5"));
        long delayMs = Long.parseLong(a.getOrDefault("delay-ms", "0"));
        String shape = a.getOrDefault("shape", "chain");
        // several tenants share the worker (fair share decides who gets a freed slot); a worker
        // with fewer slots than chains makes steps wait for slots
        int tenants = Integer.parseInt(a.getOrDefault("tenants", "1"));
        int concurrency = Integer.parseInt(a.getOrDefault("concurrency", "1000"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        StringBuilder template = new StringBuilder("{\"name\":\"bench-" + shape + "-" + steps + "-" + UUID.randomUUID()
                + "\",\"settings\":{\"max_parallel_steps\":" + Math.max(steps, 1) + "},\"steps\":[");
        for (int i = 1; i <= steps; i++) {
            template.append(i > 1 ? "," : "").append("{\"id\":\"s").append(i).append("\",\"capabilities\":[\"bench\"]");
            if (i > 1) {
                template.append(",\"depends_on\":[\"").append(shape.equals("fanout") ? "s1" : "s" + (i - 1)).append("\"]");
            }
            template.append("}");
        }
        template.append("]}");
        Map<String, String[]> byTenant = new ConcurrentHashMap<>(); // tenant id -> token, pipeline, asset
        List<String> tenantIds = new ArrayList<>();
        for (int t = 0; t < tenants; t++) {
            UUID tenant = UUID.randomUUID();
            // with several tenants, all of them fresh: none carries runs left by an earlier phase
            String tenantToken = tenants == 1 ? token : dev.scanflow.support.TestTokens.token(tenant, "admin");
            JsonNode pipelineRow = JSON.readTree(post(http, base + "/api/v1/pipelines", tenantToken, template.toString()));
            String assetOf = JSON.readTree(post(http, base + "/api/v1/assets", tenantToken,
                    "{\"type\":\"server\",\"name\":\"bench-" + UUID.randomUUID() + "\"}")).path("id").asText();
            String tenantId = pipelineRow.path("tenant_id").asText();
            byTenant.put(tenantId, new String[] {tenantToken, pipelineRow.path("id").asText(), assetOf});
            tenantIds.add(tenantId);
        }
        Map<String, AtomicLong> transitionsOf = new ConcurrentHashMap<>();
        tenantIds.forEach(t -> transitionsOf.put(t, new AtomicLong()));

        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong transitions = new AtomicLong();
        AtomicLong runsDone = new AtomicLong();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        Map<String, Long> resultSentAt = new ConcurrentHashMap<>();
        Map<String, AtomicLong> sentPerRun = new ConcurrentHashMap<>();
        ExecutorService starters = Executors.newFixedThreadPool(8);
        ScheduledExecutorService delays = Executors.newScheduledThreadPool(2);
        Connection nats = Nats.connect(a.getOrDefault("nats", "nats://127.0.0.1:4222"));
        JetStream js = nats.jetStream();
        String workerId = "w-bench-" + UUID.randomUUID().toString().substring(0, 8);
        // protocol 2: a worker is registered before its heartbeats count
        post(http, base + "/api/v1/workers", token, "{\"worker_id\":\"" + workerId + "\",\"tenant_id\":null,"
                + "\"capabilities\":[\"bench\"],\"max_concurrency\":1000}");
        java.util.function.Consumer<String> startRun = tenantId -> starters.submit(() -> {
            if (running.get()) {
                try {
                    String[] t = byTenant.get(tenantId);
                    post(http, base + "/api/v1/pipelines/" + t[1] + "/run", t[0], "{\"asset_id\":\"" + t[2] + "\"}");
                } catch (Exception e) {
                    System.err.println("run not started: " + e.getMessage());
                }
            }
        });
        var dispatcher = nats.createDispatcher(msg -> {
            long now = System.nanoTime();
            try {
                JsonNode cmd = JSON.readTree(msg.getData());
                if (!"scan".equals(cmd.path("type").asText())) {
                    return;
                }
                String run = cmd.path("payload").path("pipeline_run_id").asText();
                String step = cmd.path("payload").path("step_id").asText();
                int index = Integer.parseInt(step.substring(1));
                if (index > 1) {
                    String previous = run + "/" + (shape.equals("fanout") ? "s1" : "s" + (index - 1));
                    Long sent = shape.equals("fanout") ? resultSentAt.get(previous) : resultSentAt.remove(previous);
                    if (sent != null && measuring.get()) {
                        latencies.add(now - sent);
                    }
                    if (measuring.get()) {
                        transitions.incrementAndGet();
                        transitionsOf.computeIfAbsent(cmd.path("tenant_id").asText(), k -> new AtomicLong()).incrementAndGet();
                    }
                }
                Runnable reply = () -> {
                    try {
                        byte[] body = ProtocolJson.bytes(StatusReport.completed(cmd.path("id").asText(), workerId,
                                new StatusReport.Result(0, null, null, null, Map.of())));
                        resultSentAt.put(run + "/" + step, System.nanoTime());
                        js.publishAsync(subjects.result(workerId), body);
                        boolean last = sentPerRun.computeIfAbsent(run, k -> new AtomicLong()).incrementAndGet() == steps;
                        if (last) {
                            if (measuring.get()) {
                                runsDone.incrementAndGet();
                            }
                            sentPerRun.remove(run);
                            if (shape.equals("fanout")) {
                                resultSentAt.remove(run + "/s1");
                            }
                            startRun.accept(cmd.path("tenant_id").asText());
                        }
                    } catch (Exception e) {
                        System.err.println("reply failed: " + e.getMessage());
                    }
                };
                if (delayMs > 0) {
                    delays.schedule(reply, delayMs, TimeUnit.MILLISECONDS);
                } else {
                    reply.run();
                }
            } catch (Exception e) {
                System.err.println("bad command: " + e.getMessage());
            }
        });
        dispatcher.subscribe(subjects.command(workerId));
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
        heartbeat.scheduleAtFixedRate(() -> {
            try {
                nats.publish(subjects.heartbeat(workerId), ProtocolJson.bytes(new Heartbeat(workerId, null, List.of("bench"),
                        List.of(), concurrency, 0, "bench")));
            } catch (Exception e) {
                // next beat
            }
        }, 0, 2, TimeUnit.SECONDS);
        // the worker must be online before runs start
        long deadline = System.currentTimeMillis() + 20_000;
        while (!get(http, base + "/api/v1/workers/" + workerId, token).contains("\"online\"")) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the bench worker did not come online");
            }
            Thread.sleep(100);
        }
        for (int i = 0; i < chains; i++) {
            startRun.accept(tenantIds.get(i % tenants));
        }
        Thread.sleep(warmup * 1000L);
        long pid = Long.parseLong(a.getOrDefault("service-pid", "0"));
        long[] cpuBefore = cpu(pid);
        Map<String, Long> pgBefore = pgStats(a.get("jdbc"));
        Map<String, long[]> updatesBefore = updates(a.get("jdbc"));
        double[] gcBefore = gcPauses(http, base);
        BackendSampler backends = BackendSampler.start(a.get("jdbc"));
        long t0 = System.nanoTime();
        measuring.set(true);
        Thread.sleep(seconds * 1000L);
        measuring.set(false);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        Map<String, Long> pgAfter = pgStats(a.get("jdbc"));
        Map<String, long[]> updatesAfter = updates(a.get("jdbc"));
        Double idleInTransaction = backends == null ? null : backends.stop();
        double[] gcAfter = gcPauses(http, base);
        long[] cpuAfter = cpu(pid);
        running.set(false);

        long n = transitions.get();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", "service");
        r.put("shape", shape);
        r.put("steps", steps);
        r.put("chains", chains);
        r.put("delay_ms", delayMs);
        r.put("tenants", tenants);
        r.put("worker_concurrency", concurrency);
        if (tenants > 1) {
            // each tenant's part of the transitions: equal weights should give each 1/tenants
            List<Double> shares = tenantIds.stream().map(t -> n == 0 ? 0.0 : transitionsOf.get(t).get() / (double) n).toList();
            r.put("tenant_shares", shares);
        }
        r.put("seconds", elapsed);
        r.put("transitions", n);
        r.put("transitions_per_s", n / elapsed);
        r.put("runs_per_s", runsDone.get() / elapsed);
        r.putAll(percentiles(latencies));
        if (pgBefore != null && n > 0) {
            r.put("commits_per_transition", (pgAfter.get("xact_commit") - pgBefore.get("xact_commit")) / (double) n);
            r.put("rows_written_per_transition", (pgAfter.get("tup_inserted") - pgBefore.get("tup_inserted")
                    + pgAfter.get("tup_updated") - pgBefore.get("tup_updated")) / (double) n);
            statementsPerTransition(r, pgBefore, pgAfter, n);
            r.putAll(hotUpdates(updatesBefore, updatesAfter));
        }
        if (gcBefore != null && gcAfter != null) {
            // the share of the phase the service spent in GC pauses, and how many
            r.put("gc_pause_percent", 100.0 * (gcAfter[0] - gcBefore[0]) / elapsed);
            r.put("gc_pauses", (long) (gcAfter[1] - gcBefore[1]));
        }
        if (idleInTransaction != null) {
            r.put("idle_in_transaction_percent", idleInTransaction);
        }
        if (pid > 0) {
            double ticks = 100.0;
            r.put("service_cpu_cores", ((cpuAfter[0] - cpuBefore[0]) / ticks) / elapsed);
            r.put("service_rss_mb", cpuAfter[1] / 1024.0);
        }
        // the worker leaves with the phase: left registered and online until its heartbeats are
        // missed, it would take the next phase's steps with its free slots and never answer
        // (the first multi-tenant phase after another phase then starved three of four tenants)
        heartbeat.shutdownNow();
        deregister(http, base, token, workerId);
        nats.close();
        return r;
    }

    /**
     * Deletes the benchmark's JetStream streams (those whose names start with {@code --streams}),
     * so that every run starts from empty streams, like from an empty database, and a benchmark
     * leaves no gigabytes behind.
     */
    static Map<String, Object> reset(Map<String, String> a) throws Exception {
        String prefix = a.getOrDefault("streams", "SFBENCH_");
        List<String> deleted = new ArrayList<>();
        try (Connection nats = Nats.connect(a.getOrDefault("nats", "nats://127.0.0.1:4222"))) {
            var jsm = nats.jetStreamManagement();
            for (String stream : jsm.getStreamNames()) {
                if (stream.startsWith(prefix)) {
                    jsm.deleteStream(stream);
                    deleted.add(stream);
                }
            }
        }
        return Map.of("mode", "reset", "deleted_streams", deleted);
    }

    // ------------------------------------------------------------------ bare loop

    static Map<String, Object> bare(Map<String, String> a) throws Exception {
        int chains = Integer.parseInt(a.getOrDefault("chains", "32"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "20"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "5"));
        String jdbc = a.get("jdbc");
        long delayMs = Long.parseLong(a.getOrDefault("delay-ms", "0"));
        ScheduledExecutorService delays = Executors.newScheduledThreadPool(2);
        String prefix = "barebench" + UUID.randomUUID().toString().substring(0, 6);
        Connection nats = Nats.connect(a.getOrDefault("nats", "nats://127.0.0.1:4222"));
        var jsm = nats.jetStreamManagement();
        jsm.addStream(StreamConfiguration.builder().name(prefix.toUpperCase() + "_C").subjects(prefix + ".commands.>").build());
        jsm.addStream(StreamConfiguration.builder().name(prefix.toUpperCase() + "_R").subjects(prefix + ".results.>").build());
        try (var setup = DriverManager.getConnection(jdbc, "postgres", "")) {
            setup.createStatement().execute("CREATE TABLE IF NOT EXISTS bare_runs (id uuid PRIMARY KEY, n bigint)");
            setup.createStatement().execute("CREATE TABLE IF NOT EXISTS bare_steps (id uuid PRIMARY KEY, run_id uuid, status text, n bigint)");
            setup.createStatement().execute("CREATE TABLE IF NOT EXISTS bare_commands (id uuid PRIMARY KEY, run_id uuid, payload jsonb)");
            setup.createStatement().execute("TRUNCATE bare_runs, bare_steps, bare_commands");
        }
        JetStream js = nats.jetStream();
        // the "worker": receives commands on a plain subscription, publishes results to JetStream
        var worker = nats.createDispatcher(msg -> {
            Runnable reply = () -> {
                try {
                    js.publishAsync(prefix + ".results." + msg.getSubject().substring(msg.getSubject().lastIndexOf('.') + 1),
                            msg.getData());
                } catch (Exception e) {
                    System.err.println(e.getMessage());
                }
            };
            if (delayMs > 0) {
                delays.schedule(reply, delayMs, TimeUnit.MILLISECONDS);
            } else {
                reply.run();
            }
        });
        worker.subscribe(prefix + ".commands.>");
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong transitions = new AtomicLong();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(chains);
        for (int c = 0; c < chains; c++) {
            int chain = c;
            Thread t = new Thread(() -> {
                try (var db = DriverManager.getConnection(jdbc, "postgres", "")) {
                    db.setAutoCommit(false);
                    UUID run = UUID.randomUUID();
                    UUID stepA = UUID.randomUUID();
                    UUID stepB = UUID.randomUUID();
                    try (var s = db.prepareStatement("INSERT INTO bare_runs VALUES (?, 0)")) {
                        s.setObject(1, run);
                        s.execute();
                    }
                    try (var s = db.prepareStatement("INSERT INTO bare_steps VALUES (?, ?, 'queued', 0), (?, ?, 'pending', 0)")) {
                        s.setObject(1, stepA);
                        s.setObject(2, run);
                        s.setObject(3, stepB);
                        s.setObject(4, run);
                        s.execute();
                    }
                    db.commit();
                    jsm.addOrUpdateConsumer(prefix.toUpperCase() + "_R", ConsumerConfiguration.builder()
                            .durable("c" + chain).filterSubject(prefix + ".results.c" + chain).build());
                    JetStreamSubscription results = js.subscribe(prefix + ".results.c" + chain,
                            PullSubscribeOptions.bind(prefix.toUpperCase() + "_R", "c" + chain));
                    var lock = db.prepareStatement("SELECT n FROM bare_runs WHERE id = ? FOR UPDATE");
                    var done1 = db.prepareStatement("UPDATE bare_steps SET status = 'completed', n = n + 1 WHERE id = ?");
                    var next = db.prepareStatement("UPDATE bare_steps SET status = 'queued', n = n + 1 WHERE id = ?");
                    var command = db.prepareStatement("INSERT INTO bare_commands VALUES (?, ?, ?::jsonb)");
                    byte[] payload = JSON.writeValueAsBytes(Map.of("type", "scan", "payload", Map.of("step_id", "s")));
                    // kick off: the first command
                    js.publish(prefix + ".commands.c" + chain, payload);
                    while (running.get()) {
                        List<Message> got = results.fetch(1, Duration.ofSeconds(2));
                        if (got.isEmpty()) {
                            continue;
                        }
                        long resultAt = System.nanoTime();
                        got.get(0).ack();
                        lock.setObject(1, run);
                        try (ResultSet rs = lock.executeQuery()) {
                            rs.next();
                        }
                        done1.setObject(1, stepA);
                        done1.executeUpdate();
                        next.setObject(1, stepB);
                        next.executeUpdate();
                        command.setObject(1, UUID.randomUUID());
                        command.setObject(2, run);
                        command.setString(3, new String(payload));
                        command.executeUpdate();
                        db.commit();
                        js.publish(prefix + ".commands.c" + chain, payload);
                        if (measuring.get()) {
                            transitions.incrementAndGet();
                            latencies.add(System.nanoTime() - resultAt);
                        }
                    }
                } catch (Exception e) {
                    System.err.println("bare chain " + chain + ": " + e);
                } finally {
                    done.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(warmup * 1000L);
        Map<String, Long> pgBefore = pgStats(jdbc);
        long t0 = System.nanoTime();
        measuring.set(true);
        Thread.sleep(seconds * 1000L);
        measuring.set(false);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        Map<String, Long> pgAfter = pgStats(jdbc);
        running.set(false);
        done.await(10, TimeUnit.SECONDS);
        jsm.deleteStream(prefix.toUpperCase() + "_C");
        jsm.deleteStream(prefix.toUpperCase() + "_R");
        nats.close();
        long n = transitions.get();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", "bare");
        r.put("chains", chains);
        r.put("delay_ms", delayMs);
        r.put("seconds", elapsed);
        r.put("transitions", n);
        r.put("transitions_per_s", n / elapsed);
        // the bare loop's latency is measured from the result's receipt: add the result's trip
        r.putAll(percentiles(latencies));
        if (n > 0) {
            r.put("commits_per_transition", (pgAfter.get("xact_commit") - pgBefore.get("xact_commit")) / (double) n);
            statementsPerTransition(r, pgBefore, pgAfter, n);
        }
        return r;
    }

    // ------------------------------------------------------------------ schedules

    /**
     * Adds pipelines with a schedule trigger until the tenant has {@code count} (a yearly cron:
     * nothing fires), waits until the ticks have taken them in, then measures the idle service's
     * CPU: what a tick costs with that many schedules.
     */
    static Map<String, Object> schedules(Map<String, String> a) throws Exception {
        String base = a.getOrDefault("base", "http://127.0.0.1:8080");
        String token = a.get("token");
        int count = Integer.parseInt(a.getOrDefault("count", "10"));
        int have = Integer.parseInt(a.getOrDefault("have", "0"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "20"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicLong failed = new AtomicLong();
        CountDownLatch created = new CountDownLatch(Math.max(0, count - have));
        for (int i = have; i < count; i++) {
            pool.submit(() -> {
                try {
                    post(http, base + "/api/v1/pipelines", token, "{\"name\":\"sched-" + UUID.randomUUID()
                            + "\",\"triggers\":[{\"type\":\"schedule\",\"cron\":\"0 3 1 1 *\"}],"
                            + "\"steps\":[{\"id\":\"s1\",\"capabilities\":[\"bench\"]}]}");
                } catch (Exception e) {
                    failed.incrementAndGet();
                } finally {
                    created.countDown();
                }
            });
        }
        created.await();
        pool.shutdown();
        // the ticks take new templates in within TemplateChanges.KEPT (10 s): --settle 12 by default
        Thread.sleep(Long.parseLong(a.getOrDefault("settle", "12")) * 1000L);
        long pid = Long.parseLong(a.getOrDefault("service-pid", "0"));
        long[] before = cpu(pid);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long[] after = cpu(pid);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", "schedules");
        r.put("scheduled_pipelines", count - failed.get());
        r.put("not_created", failed.get());
        r.put("idle_cpu_percent_of_one_core", (after[0] - before[0]) / 100.0 / elapsed * 100);
        return r;
    }

    // ------------------------------------------------------------------ burst

    /**
     * One schedule fire for {@code assets} assets of a fresh tenant, dispatched to {@code workers}
     * simulated workers of {@code concurrency} slots that never answer (steps that hold): the time
     * from the fire to the last first command, the distribution of fire-to-first-command per run,
     * the API's latency meanwhile (another tenant's run list, every 20 ms) and what PostgreSQL grew.
     * The service must allow that many targets per fire (SCANFLOW_SCHEDULES_MAX_TARGETS).
     */
    static Map<String, Object> burst(Map<String, String> a) throws Exception {
        String base = a.getOrDefault("base", "http://127.0.0.1:8080");
        String prefix = a.getOrDefault("prefix", "scanflow");
        Subjects subjects = new Subjects(prefix, Subjects.DEFAULT_STREAM_PREFIX);
        String admin = a.get("token");
        int assets = Integer.parseInt(a.getOrDefault("assets", "10000"));
        int workers = Integer.parseInt(a.getOrDefault("workers", "50"));
        int concurrency = Integer.parseInt(a.getOrDefault("concurrency", "200"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String tenantToken = dev.scanflow.support.TestTokens.token(UUID.randomUUID(), "admin");
        String otherToken = dev.scanflow.support.TestTokens.token(UUID.randomUUID(), "admin");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch made = new CountDownLatch(assets);
        AtomicLong failed = new AtomicLong();
        for (int i = 0; i < assets; i++) {
            int n = i;
            pool.submit(() -> {
                try {
                    post(http, base + "/api/v1/assets", tenantToken, "{\"type\":\"server\",\"name\":\"burst-" + n + "\"}");
                } catch (Exception e) {
                    failed.incrementAndGet();
                } finally {
                    made.countDown();
                }
            });
        }
        made.await();
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " assets not created");
        }
        String pipeline = JSON.readTree(post(http, base + "/api/v1/pipelines", tenantToken, "{\"name\":\"burst-"
                + UUID.randomUUID() + "\",\"triggers\":[{\"type\":\"schedule\",\"name\":\"burst\",\"cron\":\"0 3 1 1 *\"}],"
                + "\"steps\":[{\"id\":\"s1\",\"capabilities\":[\"burst\"]}]}")).path("id").asText();
        // the other tenant's run list: the API's latency while the burst goes out
        post(http, base + "/api/v1/pipelines", otherToken, "{\"name\":\"other-" + UUID.randomUUID()
                + "\",\"steps\":[{\"id\":\"s1\",\"capabilities\":[\"burst\"]}]}");

        Connection nats = Nats.connect(a.getOrDefault("nats", "nats://127.0.0.1:4222"));
        Map<String, Long> firstCommand = new ConcurrentHashMap<>();
        AtomicLong lastCommand = new AtomicLong();
        List<String> ids = new ArrayList<>();
        var dispatcher = nats.createDispatcher(msg -> {
            long now = System.nanoTime();
            try {
                JsonNode cmd = JSON.readTree(msg.getData());
                if ("scan".equals(cmd.path("type").asText())) {
                    firstCommand.putIfAbsent(cmd.path("payload").path("pipeline_run_id").asText(), now);
                    lastCommand.accumulateAndGet(now, Math::max);
                }
            } catch (Exception e) {
                System.err.println("bad command: " + e.getMessage());
            }
        });
        for (int w = 0; w < workers; w++) {
            String id = "w-burst-" + w + "-" + UUID.randomUUID().toString().substring(0, 6);
            ids.add(id);
            post(http, base + "/api/v1/workers", admin, "{\"worker_id\":\"" + id + "\",\"tenant_id\":null,"
                    + "\"capabilities\":[\"burst\"],\"max_concurrency\":" + concurrency + "}");
            dispatcher.subscribe(subjects.command(id));
        }
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
        heartbeat.scheduleAtFixedRate(() -> ids.forEach(id -> {
            try {
                nats.publish(subjects.heartbeat(id), ProtocolJson.bytes(new Heartbeat(id, null, List.of("burst"), List.of(),
                        concurrency, 0, "bench")));
            } catch (Exception e) {
                // next beat
            }
        }), 0, 2, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 30_000;
        while (ids.stream().anyMatch(id -> {
            try {
                return !get(http, base + "/api/v1/workers/" + id, admin).contains("\"online\"");
            } catch (Exception e) {
                return true;
            }
        })) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the burst's workers did not come online");
            }
            Thread.sleep(200);
        }
        long dbBefore = databaseBytes(a.get("jdbc"));
        ConcurrentLinkedQueue<Long> api = new ConcurrentLinkedQueue<>();
        AtomicBoolean probing = new AtomicBoolean(true);
        Thread prober = new Thread(() -> {
            while (probing.get()) {
                long t = System.nanoTime();
                try {
                    get(http, base + "/api/v1/runs?limit=20", otherToken);
                    api.add(System.nanoTime() - t);
                    Thread.sleep(20);
                } catch (Exception e) {
                    return;
                }
            }
        });
        prober.start();
        long fired = System.nanoTime();
        JsonNode fire = JSON.readTree(post(http, base + "/api/v1/pipelines/" + pipeline + "/schedules/burst/fire", tenantToken, "{}"));
        long answered = System.nanoTime();
        int runs = fire.path("run_ids").size();
        long end = System.currentTimeMillis() + Long.parseLong(a.getOrDefault("wait-seconds", "120")) * 1000;
        while (firstCommand.size() < runs && System.currentTimeMillis() < end) {
            Thread.sleep(50);
        }
        probing.set(false);
        prober.join();
        long dbAfter = databaseBytes(a.get("jdbc"));
        long[] perRun = firstCommand.values().stream().mapToLong(t -> t - fired).sorted().toArray();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", "burst");
        r.put("assets", assets);
        r.put("workers", workers);
        r.put("worker_concurrency", concurrency);
        r.put("runs_started", runs);
        r.put("runs_dispatched", perRun.length);
        r.put("fire_answered_s", (answered - fired) / 1e9);
        r.put("fire_to_last_dispatch_s", perRun.length == 0 ? null : (lastCommand.get() - fired) / 1e9);
        if (perRun.length > 0) {
            r.put("fire_to_first_command_p50_s", perRun[perRun.length / 2] / 1e9);
            r.put("fire_to_first_command_p99_s", perRun[Math.min(perRun.length - 1, (int) (perRun.length * 0.99))] / 1e9);
        }
        long[] apiNanos = api.stream().mapToLong(Long::longValue).sorted().toArray();
        r.put("api_requests_during_burst", apiNanos.length);
        if (apiNanos.length > 0) {
            r.put("api_p50_ms", apiNanos[apiNanos.length / 2] / 1e6);
            r.put("api_p99_ms", apiNanos[Math.min(apiNanos.length - 1, (int) (apiNanos.length * 0.99))] / 1e6);
        }
        r.put("database_growth_mb", (dbAfter - dbBefore) / 1048576.0);
        // the workers leave: their held steps go back to waiting, nobody's slots are left behind
        heartbeat.shutdownNow();
        ids.forEach(id -> deregister(http, base, admin, id));
        nats.close();
        pool.shutdown();
        return r;
    }

    /** A simulated worker leaves (its held steps go back to waiting); a failure is only reported. */
    static void deregister(HttpClient http, String base, String token, String workerId) {
        try {
            http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/workers/" + workerId))
                    .header("Authorization", "Bearer " + token).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
            System.err.println("worker " + workerId + " not deregistered: " + e.getMessage());
        }
    }

    static long databaseBytes(String jdbc) throws Exception {
        try (var db = DriverManager.getConnection(jdbc, "postgres", "");
                ResultSet rs = db.createStatement().executeQuery("SELECT pg_database_size(current_database())")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Statements per transition, BEGIN and COMMIT included (the benchmark's own few included too). */
    static void statementsPerTransition(Map<String, Object> r, Map<String, Long> before, Map<String, Long> after,
            long transitions) {
        if (before.containsKey("statements") && after.containsKey("statements")) {
            r.put("statements_per_transition", (after.get("statements") - before.get("statements"))
                    / (double) transitions);
        }
    }

    static Map<String, Object> percentiles(ConcurrentLinkedQueue<Long> nanos) {
        long[] v = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("latency_samples", v.length);
        if (v.length > 0) {
            r.put("latency_p50_ms", v[(int) (v.length * 0.50)] / 1e6);
            r.put("latency_p95_ms", v[Math.min(v.length - 1, (int) (v.length * 0.95))] / 1e6);
            r.put("latency_p99_ms", v[Math.min(v.length - 1, (int) (v.length * 0.99))] / 1e6);
        }
        return r;
    }

    /**
     * The database's commits and rows written so far, and its statements when pg_stat_statements
     * is loaded (and created in it); null without a JDBC URL.
     */
    static Map<String, Long> pgStats(String jdbc) {
        if (jdbc == null) {
            return null;
        }
        try (var db = DriverManager.getConnection(jdbc, "postgres", "")) {
            Map<String, Long> stats = new LinkedHashMap<>();
            try (ResultSet rs = db.createStatement().executeQuery("SELECT xact_commit, tup_inserted, tup_updated "
                    + "FROM pg_stat_database WHERE datname = current_database()")) {
                rs.next();
                stats.put("xact_commit", rs.getLong(1));
                stats.put("tup_inserted", rs.getLong(2));
                stats.put("tup_updated", rs.getLong(3));
            }
            try (ResultSet rs = db.createStatement().executeQuery("SELECT sum(calls)::bigint FROM pg_stat_statements "
                    + "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
                rs.next();
                stats.put("statements", rs.getLong(1));
            } catch (java.sql.SQLException notLoaded) {
                // pg_stat_statements is not loaded or not created here: no statement counts
            }
            return stats;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The service's GC pause seconds and count so far (its Prometheus metrics), or null when it has none. */
    static double[] gcPauses(HttpClient http, String base) {
        try {
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            double[] out = new double[2];
            boolean found = false;
            for (String line : metrics.body().split("\n")) {
                int at = line.lastIndexOf(' ');
                if (line.startsWith("jvm_gc_pause_seconds_sum")) {
                    out[0] += Double.parseDouble(line.substring(at + 1));
                    found = true;
                } else if (line.startsWith("jvm_gc_pause_seconds_count")) {
                    out[1] += Double.parseDouble(line.substring(at + 1));
                }
            }
            return found ? out : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** The tables a transition updates: their updates and HOT updates are reported. */
    static final List<String> UPDATED_PER_TRANSITION = List.of("step_runs", "pipeline_runs", "worker_slots", "commands",
            "run_events", "target_holds");

    /** n_tup_upd and n_tup_hot_upd of each table updated per transition; null without a JDBC URL. */
    static Map<String, long[]> updates(String jdbc) {
        if (jdbc == null) {
            return null;
        }
        try (var db = DriverManager.getConnection(jdbc, "postgres", "");
                var st = db.prepareStatement("SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
                        + "WHERE relname = ANY(?)")) {
            st.setArray(1, db.createArrayOf("text", UPDATED_PER_TRANSITION.toArray()));
            Map<String, long[]> out = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                }
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The share of updates that were HOT (no index touched), in all and per table, during the phase. */
    static Map<String, Object> hotUpdates(Map<String, long[]> before, Map<String, long[]> after) {
        Map<String, Object> r = new LinkedHashMap<>();
        if (before == null || after == null) {
            return r;
        }
        long updates = 0;
        long hot = 0;
        Map<String, Object> perTable = new LinkedHashMap<>();
        for (var e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long u = e.getValue()[0] - b[0];
            long h = e.getValue()[1] - b[1];
            updates += u;
            hot += h;
            if (u > 0) {
                perTable.put(e.getKey(), Map.of("updates", u, "hot_percent", 100.0 * h / u));
            }
        }
        r.put("hot_update_percent", updates == 0 ? 0.0 : 100.0 * hot / updates);
        r.put("updates_by_table", perTable);
        return r;
    }

    /**
     * Samples the database's backends every 20 ms: of the samples that found a backend inside a
     * transaction (running a statement, or idle in transaction waiting for its client), the share
     * idle in transaction, in percent.
     */
    static final class BackendSampler {
        private final AtomicBoolean on = new AtomicBoolean(true);
        private final long[] counts = new long[2]; // active, idle in transaction
        private final Thread thread;

        private BackendSampler(String jdbc) {
            thread = new Thread(() -> {
                try (var db = DriverManager.getConnection(jdbc, "postgres", "");
                        var st = db.prepareStatement("SELECT count(*) FILTER (WHERE state = 'active'), "
                                + "count(*) FILTER (WHERE state = 'idle in transaction') FROM pg_stat_activity "
                                + "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                                + "AND backend_type = 'client backend'")) {
                    while (on.get()) {
                        try (ResultSet rs = st.executeQuery()) {
                            rs.next();
                            synchronized (counts) {
                                counts[0] += rs.getLong(1);
                                counts[1] += rs.getLong(2);
                            }
                        }
                        Thread.sleep(20);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "backend-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        static BackendSampler start(String jdbc) {
            return jdbc == null ? null : new BackendSampler(jdbc);
        }

        double stop() throws InterruptedException {
            on.set(false);
            thread.join();
            synchronized (counts) {
                long all = counts[0] + counts[1];
                return all == 0 ? 0.0 : 100.0 * counts[1] / all;
            }
        }
    }

    /** utime+stime (clock ticks) and RSS (kB) of a process, from /proc. */
    static long[] cpu(long pid) {
        if (pid <= 0) {
            return new long[] {0, 0};
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            long rss = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst().orElse(0L);
            return new long[] {ticks, rss};
        } catch (Exception e) {
            return new long[] {0, 0};
        }
    }

    static String post(HttpClient http, String url, String token, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    static String get(HttpClient http, String url, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

}
