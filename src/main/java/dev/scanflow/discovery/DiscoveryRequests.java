package dev.scanflow.discovery;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.engine.PlannedWrite;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The SQL of {@code discovery_requests}: a discovery run a pipeline owes an asset, pending (and
 * perhaps held by the tenant's budget) until it is started, debounced or skipped.
 */
@ApplicationScoped
public class DiscoveryRequests {

    /** A pending request; {@code recent}: the pipeline ran on the asset for a discovery within the debounce window. */
    record Request(long id, UUID tenantId, UUID pipelineId, String key, UUID assetId, boolean recent) {
    }

    /** What a tenant's decision is planned on: the budget used, the requests it may start, those left waiting. */
    record Budget(int used, List<Request> chosen, List<Request> waiting) {
    }

    private static final String USED = "SELECT count(*) FROM discovery_requests WHERE tenant_id = $1 AND state = 'started' "
            + "AND decided_at > now() - make_interval(secs => $2)";

    private final Pool pool;
    private final ScanflowConfig config;

    public DiscoveryRequests(Pool pool, ScanflowConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /**
     * Writes one pending request per (pipeline, asset) in the caller's transaction; the ones not
     * written (a request is pending already) are returned.
     */
    Uni<List<Request>> request(SqlClient tx, List<Request> wanted) {
        if (wanted.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return tx.preparedQuery("INSERT INTO discovery_requests (tenant_id, pipeline_id, trigger_key, asset_id, state) "
                        + "SELECT *, 'pending' FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[]) "
                        + "ON CONFLICT (pipeline_id, asset_id) WHERE state = 'pending' DO NOTHING RETURNING pipeline_id, asset_id")
                .execute(Tuple.of(wanted.stream().map(Request::tenantId).toArray(UUID[]::new),
                        wanted.stream().map(Request::pipelineId).toArray(UUID[]::new),
                        wanted.stream().map(Request::key).toArray(String[]::new),
                        wanted.stream().map(Request::assetId).toArray(UUID[]::new)))
                .map(rows -> {
                    Set<String> inserted = new HashSet<>();
                    rows.forEach(r -> inserted.add(r.getUUID("pipeline_id") + "/" + r.getUUID("asset_id")));
                    return wanted.stream().filter(w -> !inserted.contains(w.pipelineId() + "/" + w.assetId())).toList();
                });
    }

    /** Tenants with pending requests, at most {@code limit}. */
    Uni<List<UUID>> tenantsWaiting(int limit) {
        return pool.preparedQuery("SELECT DISTINCT tenant_id FROM discovery_requests WHERE state = 'pending' LIMIT $1")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<UUID> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getUUID("tenant_id")));
                    return out;
                });
    }

    /** The tenant's oldest pending requests, at most {@code limit}. */
    Uni<List<Request>> pending(UUID tenant, int limit) {
        return pool.preparedQuery("SELECT id, pipeline_id, trigger_key, asset_id FROM discovery_requests "
                        + "WHERE tenant_id = $1 AND state = 'pending' ORDER BY id LIMIT $2")
                .execute(Tuple.of(tenant, limit))
                .map(rows -> {
                    List<Request> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Request(r.getLong("id"), tenant, r.getUUID("pipeline_id"),
                            r.getString("trigger_key"), r.getUUID("asset_id"), false)));
                    return out;
                });
    }

    /**
     * The tenant's budget now: how many discovery runs started within the window, which of the
     * {@code peeked} requests (still pending, in order) it lets start, and the pending requests
     * left waiting that are not marked held yet.
     */
    Uni<Budget> budget(UUID tenant, List<Long> peeked) {
        int max = config.discovery().maxRunsPerWindow();
        return pool.preparedQuery(USED).execute(Tuple.of(tenant, window()))
                .chain(counted -> {
                    int used = counted.iterator().next().getLong(0).intValue();
                    Long[] ids = peeked.stream().limit(Math.max(0, max - used)).toArray(Long[]::new);
                    return pool.preparedQuery("SELECT d.id, d.pipeline_id, d.trigger_key, d.asset_id, EXISTS ("
                                    + "SELECT 1 FROM discovery_requests s WHERE s.pipeline_id = d.pipeline_id "
                                    + "AND s.asset_id = d.asset_id AND s.state = 'started' "
                                    + "AND s.decided_at > now() - make_interval(secs => $2)) AS recent "
                                    + "FROM discovery_requests d WHERE d.id = ANY($1) AND d.state = 'pending' ORDER BY d.id")
                            .execute(Tuple.of(ids, (double) config.discovery().debounce().toSeconds()))
                            .chain(rows -> {
                                List<Request> chosen = new ArrayList<>();
                                rows.forEach(r -> chosen.add(new Request(r.getLong("id"), tenant, r.getUUID("pipeline_id"),
                                        r.getString("trigger_key"), r.getUUID("asset_id"), r.getBoolean("recent"))));
                                return pool.preparedQuery("SELECT id, pipeline_id, trigger_key, asset_id FROM discovery_requests "
                                                + "WHERE tenant_id = $1 AND state = 'pending' AND NOT held AND id <> ALL($2) ORDER BY id")
                                        .execute(Tuple.of(tenant, chosen.stream().map(Request::id).toArray(Long[]::new)))
                                        .map(waitingRows -> {
                                            List<Request> waiting = new ArrayList<>();
                                            waitingRows.forEach(r -> waiting.add(new Request(r.getLong("id"), tenant,
                                                    r.getUUID("pipeline_id"), r.getString("trigger_key"),
                                                    r.getUUID("asset_id"), false)));
                                            return new Budget(used, chosen, waiting);
                                        });
                            });
                });
    }

    /** The first guard of a tenant's decision: a tenant's discovery runs are decided one at a time. */
    static PlannedWrite serialize(UUID tenant) {
        return PlannedWrite.of("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", Tuple.of("discovery:" + tenant));
    }

    /** The guard that the budget used, the chosen requests and the ones waiting unheld are as planned on. */
    PlannedWrite unchanged(UUID tenant, Budget budget) {
        Long[] chosen = budget.chosen().stream().map(Request::id).toArray(Long[]::new);
        Long[] waiting = budget.waiting().stream().map(Request::id).toArray(Long[]::new);
        return PlannedWrite.guard("SELECT 1 WHERE (" + USED + ") = $3 AND (SELECT count(*) FROM discovery_requests "
                        + "WHERE id = ANY($4) AND state = 'pending') = $5 AND (SELECT count(*) FROM discovery_requests "
                        + "WHERE id = ANY($6) AND state = 'pending' AND NOT held) = $7",
                Tuple.from(Arrays.asList(tenant, window(), (long) budget.used(), chosen, (long) chosen.length, waiting,
                        (long) waiting.length)));
    }

    /** A chosen request's decision, for {@link #decide}. */
    static Tuple decision(long id, String state, UUID runId, String reason) {
        return Tuple.from(Arrays.asList(id, state, runId, reason));
    }

    static List<PlannedWrite> decide(List<Tuple> decisions) {
        return PlannedWrite.batch("UPDATE discovery_requests SET state = $2, run_id = $3, reason = $4, decided_at = now() "
                + "WHERE id = $1", decisions);
    }

    /** Marks the waiting requests held, so that the budget holding them is recorded once. */
    static PlannedWrite hold(List<Request> waiting) {
        return PlannedWrite.of("UPDATE discovery_requests SET held = TRUE WHERE id = ANY($1) AND NOT held",
                Tuple.of((Object) waiting.stream().map(Request::id).toArray(Long[]::new)));
    }

    private double window() {
        return (double) config.discovery().window().toSeconds();
    }
}
