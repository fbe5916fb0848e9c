package dev.scanflow.discovery;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.template;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Asset discovery against the real service, PostgreSQL and NATS JetStream. Test settings: a
 * budget of 100 discovery runs per tenant per 1 s window, a 30 s debounce, a 200 ms tick.
 */
@QuarkusTest
class DiscoveryTest {

    private static final int BUDGET = 100;
    private static final Duration WINDOW = Duration.ofSeconds(1);

    @Inject
    Pool pool;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    private List<Row> rows(String sql, Object... args) {
        List<Row> out = new ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(Duration.ofSeconds(10)).forEach(out::add);
        return out;
    }

    private List<Row> runsOf(String pipeline) {
        return rows("SELECT id, asset_id, trigger_type, triggered_by FROM pipeline_runs WHERE pipeline_id = $1",
                UUID.fromString(pipeline));
    }

    private int outcomes(String pipeline, String outcome) {
        return rows("SELECT count(*) AS n FROM trigger_outcomes WHERE pipeline_id = $1 AND outcome = $2",
                UUID.fromString(pipeline), outcome).get(0).getInteger("n");
    }

    private static String quickSteps() {
        return "steps:\n  - id: quick\n    capabilities: [none]\n    condition: {type: never}\n";
    }

    @Test
    void anAssetCreatedThroughTheApiStartsTheMatchingDiscoveryPipelines() {
        String publicRepos = template(admin, "name: new-public-repos\ntriggers:\n  - type: asset_discovery\n"
                + "    name: new-repos\n    asset_types: [repository]\n    asset_filter: \"tags.exists(t, t == 'public')\"\n"
                + quickSteps());
        String everything = template(admin, "name: every-new-asset\ntriggers:\n  - on_asset_discovery\n" + quickSteps());
        String repo = asset(admin, "repository", "public-repo", "https://github.com/acme/public-repo");
        as(admin).contentType("application/json").body("{\"type\":\"repository\",\"name\":\"open\",\"tags\":[\"public\"]}")
                .post("/api/v1/assets").then().statusCode(201);
        asset(admin, "server", "a-server", null);

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> runsOf(everything).size() == 3
                && runsOf(publicRepos).size() == 1);
        Row run = runsOf(publicRepos).get(0);
        assertEquals("asset_discovery", run.getString("trigger_type"));
        assertEquals("discovery:new-public-repos/new-repos", run.getString("triggered_by"));
        assertTrue(!run.getUUID("asset_id").toString().equals(repo), "the untagged repository is not a target");
        assertEquals("discovery:every-new-asset/0", runsOf(everything).get(0).getString("triggered_by"));
    }

    @Inject
    DiscoveryTicker ticker;

    /**
     * A tick reads its pending requests, then waits for the tenant's lock; meanwhile another
     * replica's transaction adds requests. Those were not held back by the budget (100, of which
     * one is used): nothing may be recorded as held with "budget used up"; the next tick starts them.
     */
    @Test
    void requestsAddedByAnotherReplicaWhileATickWaitsAreNotRecordedAsHeldByTheBudget() throws Exception {
        // assets first, so no discovery request is made for them before the pipeline exists
        List<UUID> assets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            assets.add(UUID.fromString(asset(admin, "server", "race-" + i, null)));
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> rows(
                "SELECT count(*) AS n FROM asset_announcements WHERE tenant_id = $1", tenant).get(0).getInteger("n") == 0);
        String pipeline = template(admin, "name: raced\ntriggers:\n  - on_asset_discovery\n" + quickSteps());
        UUID pipelineId = UUID.fromString(pipeline);
        String insert = "INSERT INTO discovery_requests (tenant_id, pipeline_id, trigger_key, asset_id, state) "
                + "VALUES ($1, $2, '0', $3, 'pending')";

        // the tenant's discovery lock, held by this test as another replica would hold it
        io.vertx.mutiny.sqlclient.SqlConnection holder = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        io.vertx.mutiny.sqlclient.Transaction held = holder.begin().await().atMost(Duration.ofSeconds(10));
        java.util.concurrent.CompletableFuture<Integer> tick;
        try {
            holder.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .execute(Tuple.of("discovery:" + tenant)).await().atMost(Duration.ofSeconds(10));
            rows(insert, tenant, pipelineId, assets.get(0));
            tick = ticker.tick().subscribeAsCompletionStage();
            // the tick has read its requests and waits for the lock
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> rows("SELECT count(*) AS n FROM pg_locks l, "
                    + "(SELECT hashtextextended($1, 0) AS k) key WHERE l.locktype = 'advisory' AND NOT l.granted "
                    + "AND l.objsubid = 1 AND l.classid::text::bigint = ((key.k >> 32) & 4294967295) "
                    + "AND l.objid::text::bigint = (key.k & 4294967295)", "discovery:" + tenant).get(0).getLong("n") > 0);
            // another replica's transaction adds two requests and commits
            rows(insert, tenant, pipelineId, assets.get(1));
            rows(insert, tenant, pipelineId, assets.get(2));
        } finally {
            held.commit().await().atMost(Duration.ofSeconds(10));
            holder.close().await().atMost(Duration.ofSeconds(10));
        }
        tick.get(30, java.util.concurrent.TimeUnit.SECONDS);
        // the scheduled tick may have been waiting for the lock too: both are done once all three ran
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> runsOf(pipeline).size() == 3);
        List<Row> heldOutcomes = rows("SELECT reason FROM trigger_outcomes WHERE pipeline_id = $1 AND outcome = 'held'",
                pipelineId);
        assertEquals(List.of(), heldOutcomes.stream().map(r -> r.getString("reason")).toList(),
                "nothing waited for the budget");
        assertEquals(List.of("started", "started", "started"), rows("SELECT state FROM discovery_requests "
                + "WHERE pipeline_id = $1 ORDER BY id", pipelineId).stream().map(r -> r.getString("state")).toList());
    }

    @Test
    void aBurstOf500AnnouncedAssetsStaysWithinTheBudgetAndScansEachAssetOnce() throws Exception {
        String pipeline = template(admin, "name: discovered\ntriggers:\n  - on_asset_discovery\n" + quickSteps());
        String subject = TestWorker.PREFIX + ".assets.discovered." + tenant;
        try (Connection nats = Nats.connect("nats://127.0.0.1:4222")) {
            JetStream js = nats.jetStream();
            js.publish(subject, "{\"type\":\"laptop\",\"name\":\"not an asset type\"}".getBytes(StandardCharsets.UTF_8));
            js.publish(subject, "not json".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 500; i++) {
                js.publish(subject, ("{\"type\":\"domain\",\"name\":\"host-" + i + ".acme.example\",\"url\":"
                        + "\"https://host-" + i + ".acme.example\",\"tags\":[\"discovered\"],\"criticality\":\"low\","
                        + "\"source\":\"subfinder\"}").getBytes(StandardCharsets.UTF_8));
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> runsOf(pipeline).size() >= 500);
            assertEquals(500, rows("SELECT count(*) AS n FROM assets WHERE tenant_id = $1", tenant).get(0).getInteger("n"),
                    "the two bad announcements made no asset");
            List<Row> runs = runsOf(pipeline);
            assertEquals(500, runs.size());
            assertEquals(500, runs.stream().map(r -> r.getUUID("asset_id")).distinct().count(), "each asset once");

            // never more than the budget within one window
            List<Instant> started = rows("SELECT decided_at FROM discovery_requests WHERE pipeline_id = $1 "
                    + "AND state = 'started' ORDER BY decided_at", UUID.fromString(pipeline)).stream()
                    .map(r -> r.getOffsetDateTime("decided_at").toInstant()).toList();
            int most = 0;
            for (int i = 0, j = 0; i < started.size(); i++) {
                while (!started.get(j).isAfter(started.get(i).minus(WINDOW))) {
                    j++;
                }
                most = Math.max(most, i - j + 1);
            }
            assertTrue(most <= BUDGET, "at most " + BUDGET + " discovery runs per window, saw " + most);
            assertTrue(outcomes(pipeline, "held") >= 400 - BUDGET, "what waited was recorded as held: "
                    + outcomes(pipeline, "held"));

            // announced again within the debounce window: recorded, not run again
            for (int i = 0; i < 50; i++) {
                js.publish(subject, ("{\"type\":\"domain\",\"name\":\"host-" + i + ".acme.example\",\"tags\":[\"again\"]}")
                        .getBytes(StandardCharsets.UTF_8));
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> outcomes(pipeline, "debounced") == 50);
            assertEquals(500, runsOf(pipeline).size());
            assertEquals(List.of("again"), List.of(rows("SELECT tags FROM assets WHERE tenant_id = $1 AND name = $2",
                    tenant, "host-7.acme.example").get(0).getArrayOfStrings("tags")), "the announcement updated the asset");
        }
        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("scanflow_assets_announcements_rejected_total"), "bad announcements are counted");
    }
}
