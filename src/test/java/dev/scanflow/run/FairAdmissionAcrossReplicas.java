package dev.scanflow.run;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.support.LocalProcesses;
import dev.scanflow.support.TestWorker;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;

/**
 * Budgets and run limits hold across two replicas of the packaged service (docs/adr/0012): two
 * tenants' pipelines aimed at one host with a budget of 1, started on both replicas at once,
 * never have two steps on the host at the same time (the event log says so), a pipeline
 * limited to 2 runs never has more running, and a tenant limited to 1 run never more than one,
 * while runs are started on both replicas at once.
 */
final class FairAdmissionAcrossReplicas {

    private FairAdmissionAcrossReplicas() {
    }

    /**
     * Run on two replicas of one database and NATS ({@code one}, {@code two}) that read policies
     * and tenants' limits every second (TwoReplicasIT starts them).
     */
    static void budgetsAndLimitsHold(LocalProcesses.Service one, LocalProcesses.Service two, String natsUrl)
            throws Exception {
        UUID tenantA = UUID.randomUUID();
        UUID tenantB = UUID.randomUUID();
        String adminA = LocalProcesses.mintToken(tenantA, "admin");
        String adminB = LocalProcesses.mintToken(tenantB, "admin");
        AtomicInteger onHost = new AtomicInteger();
        AtomicInteger mostOnHost = new AtomicInteger();
        try (TestWorker worker = new TestWorker(natsUrl, "scanflow", "w-fair", null, List.of("dast", "scan"),
                List.of(), 8).onScan((w, cmd) -> hold(w, cmd, onHost, mostOnHost)).register(one.base())) {
            String host = "shared.example.com";
            // A's policy gives the host a budget of 1; B has none, so its active step gets the
            // default (1): each counts the other's steps on the host
            given().baseUri(one.base()).auth().oauth2(adminA).contentType(ContentType.JSON)
                    .body("{\"target_budgets\": [{\"target\": \"" + host + "\", \"max_active_steps\": 1}]}")
                    .put("/api/v1/scan-policy").then().statusCode(201);
            String yaml = "{\"name\": \"dast\", \"steps\": [{\"id\": \"dast\", \"capabilities\": [\"dast\"]}]}";
            String pipeA = post(one.base(), adminA, "/api/v1/pipelines", yaml);
            String pipeB = post(two.base(), adminB, "/api/v1/pipelines", yaml);
            String assetA = post(one.base(), adminA, "/api/v1/assets",
                    "{\"type\": \"web_application\", \"name\": \"a\", \"url\": \"https://" + host + "/a\"}");
            String assetB = post(two.base(), adminB, "/api/v1/assets",
                    "{\"type\": \"web_application\", \"name\": \"b\", \"url\": \"https://" + host + "/b\"}");
            // the budget reaches replica two through its policy refresh (scanflow.scope.refresh)
            Thread.sleep(Duration.ofSeconds(2).toMillis());
            List<String[]> runs = startAtOnce(List.of(
                    new String[] {one.base(), adminA, pipeA, assetA}, new String[] {two.base(), adminB, pipeB, assetB},
                    new String[] {two.base(), adminA, pipeA, assetA}, new String[] {one.base(), adminB, pipeB, assetB}), 3);
            List<Instant[]> spans = new ArrayList<>();
            for (String[] r : runs) {
                awaitCompleted(one.base(), r[1], r[0]);
                spans.add(span(given().baseUri(one.base()).auth().oauth2(r[1]), r[0]));
            }
            assertEquals(1, mostOnHost.get(), "at most one step on the host at once, as the worker saw it");
            assertNoOverlap(spans, "steps on " + host);

            // a pipeline limited to 2 runs, started 10 times on both replicas at once (a passive
            // capability: no target budget serializes its steps)
            String limited = post(one.base(), adminA, "/api/v1/pipelines", "{\"name\": \"limited\", "
                    + "\"settings\": {\"max_concurrent_runs\": 2}, \"steps\": [{\"id\": \"scan\", \"capabilities\": [\"scan\"]}]}");
            String server = post(two.base(), adminA, "/api/v1/assets", "{\"type\": \"server\", \"name\": \"limited\"}");
            onHost.set(0);
            mostOnHost.set(0);
            List<String[]> limitedRuns = startAtOnce(List.of(new String[] {one.base(), adminA, limited, server},
                    new String[] {two.base(), adminA, limited, server}), 5);
            for (String[] r : limitedRuns) {
                awaitCompleted(two.base(), r[1], r[0]);
            }
            assertEquals(2, mostOnHost.get(), "the pipeline's runs never exceeded its limit of 2");

            // B's own limit of 1 run (a platform admin's, through replica one), started on both at once
            String platform = LocalProcesses.mintToken(UUID.randomUUID(), "platform-admin");
            given().baseUri(one.base()).auth().oauth2(platform).contentType(ContentType.JSON)
                    .body("{\"weight\": 1, \"max_concurrent_runs\": 1}").put("/api/v1/tenants/" + tenantB + "/share")
                    .then().statusCode(200);
            // replica two reads it within scanflow.admission.refresh
            Thread.sleep(Duration.ofSeconds(2).toMillis());
            String free = post(one.base(), adminB, "/api/v1/pipelines", "{\"name\": \"free\", "
                    + "\"steps\": [{\"id\": \"scan\", \"capabilities\": [\"scan\"]}]}");
            String serverB = post(two.base(), adminB, "/api/v1/assets", "{\"type\": \"server\", \"name\": \"b-limited\"}");
            onHost.set(0);
            mostOnHost.set(0);
            List<String[]> tenantRuns = startAtOnce(List.of(new String[] {one.base(), adminB, free, serverB},
                    new String[] {two.base(), adminB, free, serverB}), 3);
            for (String[] r : tenantRuns) {
                awaitCompleted(one.base(), r[1], r[0]);
            }
            assertEquals(1, mostOnHost.get(), "the tenant never had more than its 1 run running");
        }
    }

    /** Holds a step 150 ms, counting how many the worker holds at once. */
    private static void hold(TestWorker w, JsonNode cmd, AtomicInteger now, AtomicInteger most) {
        new Thread(() -> {
            int n = now.incrementAndGet();
            most.accumulateAndGet(n, Math::max);
            try {
                w.running(cmd);
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            now.decrementAndGet();
            w.complete(cmd, 0, Map.of());
        }).start();
    }

    private static String post(String base, String token, String path, String body) {
        return given().baseUri(base).auth().oauth2(token).contentType(ContentType.JSON).body(body).post(path)
                .then().statusCode(201).extract().path("id");
    }

    /** Starts each (base, token, pipeline, asset) {@code times} times, all requests at once; (run, token) pairs. */
    private static List<String[]> startAtOnce(List<String[]> starts, int times) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String[]>> futures = new ArrayList<>();
            for (int i = 0; i < times; i++) {
                for (String[] s : starts) {
                    futures.add(pool.submit(() -> new String[] {post(s[0], s[1], "/api/v1/pipelines/" + s[2] + "/run",
                            "{\"asset_id\": \"" + s[3] + "\"}"), s[1]}));
                }
            }
            List<String[]> out = new ArrayList<>();
            for (Future<String[]> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void awaitCompleted(String base, String token, String run) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                "completed".equals(given().baseUri(base).auth().oauth2(token).get("/api/v1/pipeline-runs/" + run)
                        .jsonPath().getString("status")));
    }

    /** A one-step run's step from its started event to its completed event, read through {@code as}. */
    static Instant[] span(io.restassured.specification.RequestSpecification as, String run) {
        List<Map<String, Object>> events = as.get("/api/v1/pipeline-runs/" + run + "/history").jsonPath()
                .getList("items.payload");
        Instant started = null;
        Instant completed = null;
        for (Map<String, Object> e : events) {
            if ("pipeline.step.started".equals(e.get("event"))) {
                started = Instant.parse((String) e.get("timestamp"));
            } else if ("pipeline.step.completed".equals(e.get("event"))) {
                completed = Instant.parse((String) e.get("timestamp"));
            }
        }
        return new Instant[] {started, completed};
    }

    /** No span starts before the one before it (by start) ended: the steps never overlapped. */
    static void assertNoOverlap(List<Instant[]> spans, String what) {
        List<Instant[]> sorted = new ArrayList<>(spans);
        sorted.sort((x, y) -> x[0].compareTo(y[0]));
        for (int i = 1; i < sorted.size(); i++) {
            assertTrue(!sorted.get(i)[0].isBefore(sorted.get(i - 1)[1]), what + " overlap in the event log: "
                    + sorted.get(i - 1)[1] + " > " + sorted.get(i)[0]);
        }
    }
}
