package dev.scanflow.finding;

import static dev.scanflow.support.Runs.asset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The findings' history is bounded (scanflow.findings.retention, 180 days by default): findings
 * fixed longer ago and older observations go; a finding still open stays however old it is.
 */
@QuarkusTest
class FindingRetentionTest {

    @Inject
    Pool pool;

    @Inject
    FindingRetention retention;

    private void finding(UUID id, UUID tenant, UUID asset, String state, int lastSeenDaysAgo, Integer fixedDaysAgo) {
        pool.preparedQuery("INSERT INTO findings (id, tenant_id, asset_id, identity, kind, tools, rule_id, severity, "
                        + "location, state, first_seen_run, first_seen_at, last_seen_run, last_seen_at, fixed_run, fixed_at) "
                        + "VALUES ($1, $2, $3, $4, 'code', '{eslint}', 'r', 'low', '{}', $5, $6, now() - make_interval(days => $7), "
                        + "$6, now() - make_interval(days => $7), $8, now() - make_interval(days => $9))")
                .execute(Tuple.from(Arrays.asList(id, tenant, asset, id.toString(), state, UUID.randomUUID(),
                        lastSeenDaysAgo, fixedDaysAgo == null ? null : UUID.randomUUID(),
                        fixedDaysAgo == null ? 0 : fixedDaysAgo)))
                .await().atMost(Duration.ofSeconds(10));
        if (fixedDaysAgo == null) {
            pool.preparedQuery("UPDATE findings SET fixed_at = NULL WHERE id = $1").execute(Tuple.of(id))
                    .await().atMost(Duration.ofSeconds(10));
        }
    }

    private void observation(UUID run, UUID finding, UUID tenant, int daysAgo) {
        pool.preparedQuery("INSERT INTO finding_observations (run_id, finding_id, step_run_id, tenant_id, change, severity, "
                        + "suppressed, observed_at) VALUES ($1, $2, $3, $4, 'unchanged', 'low', false, "
                        + "now() - make_interval(days => $5))")
                .execute(Tuple.from(Arrays.asList(run, finding, UUID.randomUUID(), tenant, daysAgo)))
                .await().atMost(Duration.ofSeconds(10));
    }

    private List<UUID> left(List<UUID> ids) {
        return pool.preparedQuery("SELECT id FROM findings WHERE id = ANY($1)")
                .execute(Tuple.of(ids.toArray(UUID[]::new))).await().atMost(Duration.ofSeconds(10))
                .stream().map(r -> r.getUUID("id")).toList();
    }

    @Test
    void oldFixedFindingsAndOldObservationsArePurgedOpenOnesStay() {
        UUID tenant = Api.newTenant();
        UUID asset = UUID.fromString(asset(TestTokens.admin(tenant), "repository", "retention-" + UUID.randomUUID(), null));
        UUID oldFixed = UUID.randomUUID();
        UUID oldOpen = UUID.randomUUID();
        UUID recentFixed = UUID.randomUUID();
        finding(oldFixed, tenant, asset, "fixed", 300, 200);
        finding(oldOpen, tenant, asset, "unchanged", 200, null);
        finding(recentFixed, tenant, asset, "fixed", 20, 10);
        UUID oldRun = UUID.randomUUID();
        UUID newRun = UUID.randomUUID();
        observation(oldRun, oldOpen, tenant, 200);
        observation(newRun, recentFixed, tenant, 10);

        int purged = retention.purge().await().atMost(Duration.ofSeconds(30));
        assertTrue(purged >= 2, "at least the old fixed finding and the old observation: " + purged);
        assertEquals(java.util.Set.of(oldOpen, recentFixed), java.util.Set.copyOf(left(List.of(oldFixed, oldOpen,
                recentFixed))), "the old fixed finding went; the old open one and the recently fixed one stayed");
        long observations = pool.preparedQuery("SELECT count(*) FROM finding_observations WHERE run_id = ANY($1)")
                .execute(Tuple.of(new UUID[] {oldRun, newRun})).await().atMost(Duration.ofSeconds(10))
                .iterator().next().getLong(0);
        assertEquals(1, observations, "the 200-day-old observation went, the recent one stayed");
    }
}
