package dev.scanflow.finding;

import static dev.scanflow.support.Api.as;
import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.template;
import static dev.scanflow.support.Runs.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.FindingsChunk;
import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * 50,000 findings from one step (issue 23): sent in chunks of the protocol's size, ten of them
 * twice, they are stored once and the run completes; its figures (time, rows, heap) are measured
 * by bench/findings.sh, not here.
 */
@QuarkusTest
class FindingVolumeTest {

    static final int FINDINGS = 50_000;

    @Inject
    Pool pool;

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    private long count(String sql, UUID asset) {
        return pool.preparedQuery(sql).execute(Tuple.of(asset)).await().atMost(Duration.ofSeconds(30))
                .iterator().next().getLong(0);
    }

    @Test
    void fiftyThousandFindingsAreStoredOnceAndTheRunCompletes() throws Exception {
        String cap = "vol-" + UUID.randomUUID().toString().substring(0, 8);
        List<Finding> all = dev.scanflow.bench.FindingsBench.findings(FINDINGS);
        try (TestWorker worker = new TestWorker("w-" + cap, tenant, List.of(cap), List.of(), 1)
                .onScan((w, cmd) -> {
                    w.running(cmd);
                    int size = FindingsChunk.MAX_FINDINGS;
                    w.sendFindings(cmd, all, size);
                    for (int chunk = 0; chunk < 100; chunk += 10) { // as after lost acks
                        w.sendChunk(cmd, chunk, all.subList(chunk * size, (chunk + 1) * size));
                    }
                    w.completeHaving(cmd, all, all.size(), Map.of("tool", "trivy"));
                })) {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                    "online".equals(as(admin).get("/api/v1/workers/" + worker.id()).jsonPath().getString("status")));
            String pipeline = template(admin, "name: volume\nsteps:\n  - id: sca\n    tool: trivy\n    capabilities: [" + cap + "]\n");
            String assetId = asset(admin, "repository", "volume-" + cap, "https://git.example/" + cap);
            JsonPath run = awaitRun(admin, trigger(admin, pipeline, assetId), Duration.ofSeconds(180), "completed", "failed");
            assertEquals("completed", run.getString("status"), run.prettify());
            assertEquals(FINDINGS, run.getInt("new_findings_count"));
            assertEquals(FINDINGS / 10, run.getInt("new_findings_by_severity.high"));
            UUID asset = UUID.fromString(assetId);
            assertEquals(FINDINGS, count("SELECT count(*) FROM findings WHERE asset_id = $1", asset));
            assertEquals(FINDINGS, count("SELECT count(*) FROM finding_observations o JOIN findings f "
                    + "ON f.id = o.finding_id WHERE f.asset_id = $1", asset));
        }
    }
}
