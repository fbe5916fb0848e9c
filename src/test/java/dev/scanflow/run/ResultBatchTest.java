package dev.scanflow.run;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.template;
import static dev.scanflow.support.Runs.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.domain.WorkerResult;
import dev.scanflow.engine.RunEngine;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Results that arrive together are applied in shared transactions: several runs, several results
 * of one run, a duplicate and an unknown command in one batch, each decided as if alone.
 */
@QuarkusTest
class ResultBatchTest {

    @Inject
    RunEngine engine;

    @Inject
    MeterRegistry metrics;

    @Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    private double ignored(String reason) {
        var counter = metrics.find("scanflow.results.ignored").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private static WorkerResult completed(TestWorker worker, JsonNode command, int findings) {
        return new WorkerResult(UUID.fromString(command.path("id").asText()), worker.id(), worker.id(), "completed",
                findings, Map.of(), Map.of("n", findings), null, null);
    }

    @Test
    void resultsAppliedTogetherAreEachDecidedOnce() throws Exception {
        String cap = "batch-" + UUID.randomUUID().toString().substring(0, 8);
        try (TestWorker worker = new TestWorker("w-" + cap, tenant, List.of(cap), List.of(), 100)
                .onScan((w, cmd) -> w.running(cmd))) {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                    "online".equals(as(admin).get("/api/v1/workers/" + worker.id()).jsonPath().getString("status")));
            String pipeline = template(admin, "name: batch\nsettings:\n  max_parallel_steps: 2\nsteps:\n"
                    + "  - id: b\n    capabilities: [" + cap + "]\n"
                    + "  - id: c\n    capabilities: [" + cap + "]\n"
                    + "  - id: d\n    capabilities: [" + cap + "]\n    depends_on: [b, c]\n"
                    + "    condition: \"steps.b.findings_count + steps.c.findings_count == 3\"\n");
            String assetId = asset(admin, "server", "batch", null);
            List<String> runs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                runs.add(trigger(admin, pipeline, assetId));
            }
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                    worker.commandsFor("b").size() == 6 && worker.commandsFor("c").size() == 6);
            double duplicatesBefore = ignored("duplicate");
            double unknownBefore = ignored("unknown");
            long batchesBefore = metrics.find("scanflow.engine.batch.size").summary().count();

            // 12 results, 6 of them twice, and one for a command nobody sent: all at once, so
            // that most wait for a transaction and are applied together
            List<WorkerResult> results = new ArrayList<>();
            worker.commandsFor("b").forEach(cmd -> results.add(completed(worker, cmd, 1)));
            worker.commandsFor("c").forEach(cmd -> results.add(completed(worker, cmd, 2)));
            worker.commandsFor("b").forEach(cmd -> results.add(completed(worker, cmd, 1)));
            results.add(new WorkerResult(UUID.randomUUID(), worker.id(), worker.id(), "completed", 0, Map.of(),
                    Map.of(), null, null));
            List<Uni<Void>> applying = results.stream().map(engine::onResult).toList();
            Uni.join().all(applying).andFailFast().await().atMost(Duration.ofSeconds(20));

            var batches = metrics.find("scanflow.engine.batch.size").summary();
            assertTrue(batches.count() - batchesBefore < results.size(), "some results shared a transaction");
            assertTrue(batches.max() > 1, "a batch held more than one result");
            assertEquals(6, ignored("duplicate") - duplicatesBefore, "each repeated result ignored once");
            assertEquals(1, ignored("unknown") - unknownBefore);

            // every run went on to d exactly once, its condition reading both results
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> worker.commandsFor("d").size() == 6);
            assertEquals(6, worker.commandsFor("b").size());
            assertEquals(6, worker.commandsFor("c").size());
            worker.commandsFor("d").forEach(cmd -> worker.complete(cmd, 0, Map.of()));
            for (String run : runs) {
                var done = awaitRun(admin, run, "completed");
                assertEquals(3, done.getInt("total_findings"));
                assertEquals(3, done.getInt("completed_steps"));
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    as(admin).get("/api/v1/workers/" + worker.id()).jsonPath().getInt("active_commands") == 0);
        }
    }

    @Test
    void theSlotAResultFreesGoesToTheNextStepInTheSameTransaction() throws Exception {
        String cap = "single-" + UUID.randomUUID().toString().substring(0, 8);
        // one slot: the next step can only get it because this result's transaction frees it
        try (TestWorker worker = new TestWorker("w-" + cap, tenant, List.of(cap), List.of(), 1)) {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                    "online".equals(as(admin).get("/api/v1/workers/" + worker.id()).jsonPath().getString("status")));
            String pipeline = template(admin, "name: single\nsteps:\n"
                    + "  - id: a\n    capabilities: [" + cap + "]\n"
                    + "  - id: b\n    capabilities: [" + cap + "]\n    depends_on: [a]\n"
                    + "  - id: c\n    capabilities: [" + cap + "]\n    depends_on: [b]\n");
            String run = trigger(admin, pipeline, asset(admin, "server", "single", null));
            awaitRun(admin, run, "completed");
            var rows = pool.preparedQuery("SELECT step_key, queued_at = dispatched_at AS same FROM step_runs "
                    + "WHERE run_id = $1 ORDER BY step_key").execute(io.vertx.mutiny.sqlclient.Tuple.of(UUID.fromString(run)))
                    .await().atMost(Duration.ofSeconds(30));
            List<String> sameTransaction = new ArrayList<>();
            rows.forEach(r -> {
                if (r.getBoolean("same")) {
                    sameTransaction.add(r.getString("step_key"));
                }
            });
            assertEquals(List.of("a", "b", "c"), sameTransaction,
                    "each step was given to the worker by the transaction that queued it");
        }
    }
}
