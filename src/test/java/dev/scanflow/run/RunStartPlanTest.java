package dev.scanflow.run;

import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.template;
import static dev.scanflow.support.Runs.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.engine.NewRun;
import dev.scanflow.engine.PlannedWrite;
import dev.scanflow.engine.RunEngine;
import dev.scanflow.engine.RunStartPlan;
import dev.scanflow.pipeline.PinnedTemplate;
import dev.scanflow.pipeline.PipelineQueries;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A run start is a plan the engine writes whole or not at all (ADR 0008): a guard that finds no
 * row, or a run started on the plan's assets since it was read, leaves nothing behind: no run,
 * no record; a plan that holds writes its runs and its records together.
 */
@QuarkusTest
class RunStartPlanTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    RunEngine engine;
    @Inject
    RunLauncher launcher;
    @Inject
    PipelineQueries pipelines;
    @Inject
    Pool pool;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    /** A record the test can look for: an idempotency key of this tenant. */
    private PlannedWrite record(String key) {
        return PlannedWrite.of("INSERT INTO idempotency_keys (tenant_id, key, request_hash, run_ids) VALUES ($1, $2, 'x', '{}')",
                Tuple.of(tenant, key));
    }

    private boolean recorded(String key) {
        return pool.preparedQuery("SELECT 1 FROM idempotency_keys WHERE tenant_id = $1 AND key = $2")
                .execute(Tuple.of(tenant, key)).await().atMost(WAIT).size() == 1;
    }

    private boolean exists(UUID runId) {
        return pool.preparedQuery("SELECT 1 FROM pipeline_runs WHERE id = $1").execute(Tuple.of(runId))
                .await().atMost(WAIT).size() == 1;
    }

    private NewRun prepared(String pipelineId, String assetId) {
        PinnedTemplate pinned;
        try {
            // a Hibernate Reactive read: it needs a Vert.x context
            pinned = VertxContextSupport.subscribeAndAwait(() -> pipelines.pinLatest(tenant, UUID.fromString(pipelineId)));
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
        Map<String, Object> snapshot = Map.of("id", assetId, "type", "server", "name", "plan-target");
        return launcher.prepare(tenant, pinned, UUID.fromString(assetId), snapshot, Map.of(), "normal",
                new RunOrigin("api", "test:plan", null));
    }

    @Test
    void aGuardThatFindsNoRowWritesNothing() {
        String pipeline = template(admin, "name: guarded\nsteps:\n  - id: a\n    capabilities: [nobody-has-this]\n");
        String asset = asset(admin, "server", "plan-target", null);
        NewRun run = prepared(pipeline, asset);
        boolean written = engine.start(RunStartPlan.builder()
                        .guard(PlannedWrite.guard("SELECT 1 WHERE $1::uuid IS NULL", Tuple.of(tenant)))
                        .start(run).record(record("stale")).build())
                .await().atMost(WAIT);
        assertFalse(written);
        assertFalse(exists(run.state().id), "no run");
        assertFalse(recorded("stale"), "no record");

        NewRun second = prepared(pipeline, asset);
        assertTrue(engine.start(RunStartPlan.builder()
                        .guard(PlannedWrite.guard("SELECT 1 WHERE $1::uuid IS NOT NULL", Tuple.of(tenant)))
                        .start(second).record(record("held")).build())
                .await().atMost(WAIT));
        assertTrue(exists(second.state().id), "the run");
        assertTrue(recorded("held"), "its record, in the same transaction");
    }

    @Test
    void aRunStartedOnTheAssetsSinceThePlanWasReadMakesItStale() {
        String pipeline = template(admin, "name: overlapping\nsteps:\n  - id: a\n    capabilities: [nobody-has-this]\n");
        String asset = asset(admin, "server", "plan-target", null);
        UUID assetId = UUID.fromString(asset);
        // read: nothing active on the asset
        Map<UUID, UUID> active = engine.activeRuns(UUID.fromString(pipeline), List.of(assetId)).await().atMost(WAIT);
        assertEquals(Map.of(), active);
        // meanwhile another start
        String other = trigger(admin, pipeline, asset);
        NewRun run = prepared(pipeline, asset);
        boolean written = engine.start(RunStartPlan.builder()
                        .expect(new RunStartPlan.ActiveRuns(UUID.fromString(pipeline), List.of(assetId), Set.of()))
                        .start(run).record(record("overlap")).build())
                .await().atMost(WAIT);
        assertFalse(written);
        assertFalse(exists(run.state().id));
        assertFalse(recorded("overlap"));

        // planned again on what is active now, it is written
        NewRun again = prepared(pipeline, asset);
        assertTrue(engine.start(RunStartPlan.builder()
                        .expect(new RunStartPlan.ActiveRuns(UUID.fromString(pipeline), List.of(assetId),
                                Set.of(UUID.fromString(other))))
                        .start(again).build())
                .await().atMost(WAIT));
        assertTrue(exists(again.state().id));
    }
}
