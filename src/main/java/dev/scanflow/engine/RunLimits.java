package dev.scanflow.engine;

import dev.scanflow.domain.TenantShares;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Run limits (docs/adr/0012-fair-admission.md): at most the tenant's {@code max_concurrent_runs}
 * (a platform admin sets it) and the pipeline's {@code settings.max_concurrent_runs} runs
 * running at once; runs over a limit stay pending, saying why, and start in priority order when
 * runs end ({@link RunAdmissions}). Counted under transaction-scoped advisory locks on the tenant
 * and the pipeline, taken in key order, so that limits hold across replicas.
 */
@ApplicationScoped
public class RunLimits {

    /** Locks the limit keys ($1), in order, until the transaction ends. */
    static final String LOCK = "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 2413))) FROM "
            + "(SELECT DISTINCT k FROM unnest($1::text[]) k ORDER BY k) t";

    /**
     * Running runs, and runs held by the tenant's limit and by the pipeline's, by tenant and
     * pipeline (a run held by its pipeline's limit does not keep the tenant's other runs waiting).
     */
    static final String COUNTS = "SELECT tenant_id, pipeline_id, count(*) FILTER (WHERE status = 'running')::int AS running, "
            + "count(*) FILTER (WHERE status = 'pending' AND wait_reason LIKE '" + WaitReasons.TENANT_LIMIT + "%')::int "
            + "AS held_by_tenant, count(*) FILTER (WHERE status = 'pending' AND wait_reason LIKE '"
            + WaitReasons.PIPELINE_LIMIT + "%')::int AS held_by_pipeline FROM pipeline_runs "
            + "WHERE (status = 'running' OR (status = 'pending' AND wait_reason IS NOT NULL)) "
            + "AND (tenant_id = ANY($1) OR pipeline_id = ANY($2)) GROUP BY tenant_id, pipeline_id";

    private final TenantShares shares;
    /** Whether runs may be held (this replica's view): set when one is, cleared by an admission pass that finds none. */
    private volatile boolean someHeld = true;

    public RunLimits(TenantShares shares) {
        this.shares = shares;
    }

    /** A run asking to start: its tenant, pipeline, and the pipeline's limit (null: none). */
    record Ask(UUID run, UUID tenant, UUID pipeline, Integer pipelineLimit) {
    }

    /** Running and held runs per limit key, counted under the keys' locks. */
    static final class Counts {
        final Map<String, Integer> running = new HashMap<>();
        final Map<String, Integer> held = new HashMap<>();
    }

    static String tenantKey(UUID tenant) {
        return "tenant:" + tenant;
    }

    static String pipelineKey(UUID pipeline) {
        return "pipeline:" + pipeline;
    }

    /** Whether any of the asks has a limit (no limit: nothing to lock or count). */
    boolean limited(List<Ask> asks) {
        return !shares.loaded() || asks.stream().anyMatch(a -> a.pipelineLimit() != null || shares.maxConcurrentRuns(a.tenant()) != null);
    }

    /** Locks the asks' limit keys and counts what runs and what waits under them. */
    Uni<Counts> lockAndCount(SqlClient tx, List<Ask> asks) {
        Set<String> keys = new HashSet<>();
        Set<UUID> tenants = new HashSet<>();
        Set<UUID> pipelines = new HashSet<>();
        for (Ask a : asks) {
            keys.add(tenantKey(a.tenant()));
            keys.add(pipelineKey(a.pipeline()));
            tenants.add(a.tenant());
            pipelines.add(a.pipeline());
        }
        Uni<?> lock = tx.preparedQuery(LOCK).execute(Tuple.of((Object) keys.toArray(String[]::new)));
        Uni<Counts> counts = tx.preparedQuery(COUNTS)
                .execute(Tuple.of(tenants.toArray(UUID[]::new), pipelines.toArray(UUID[]::new)))
                .map(rows -> {
                    Counts c = new Counts();
                    for (Row r : rows) {
                        String t = tenantKey(r.getUUID("tenant_id"));
                        String p = pipelineKey(r.getUUID("pipeline_id"));
                        c.running.merge(t, r.getInteger("running"), Integer::sum);
                        c.running.merge(p, r.getInteger("running"), Integer::sum);
                        c.held.merge(t, r.getInteger("held_by_tenant"), Integer::sum);
                        c.held.merge(p, r.getInteger("held_by_pipeline"), Integer::sum);
                    }
                    return c;
                });
        return Uni.combine().all().unis(lock, counts).with((l, c) -> c);
    }

    /**
     * Goes through the asks in order: a run starts when its tenant and pipeline are under their
     * limits (counted with the runs started before it here) and, for a new run ({@code queued}
     * false), when no held run waits ahead of it under either; else the reason it is held. The
     * result maps every held ask to its reason; the counts are updated for the runs that start.
     */
    Map<UUID, String> decide(List<Ask> asks, Counts counts, boolean queued) {
        Map<UUID, String> heldBack = new HashMap<>();
        for (Ask a : asks) {
            String t = tenantKey(a.tenant());
            String p = pipelineKey(a.pipeline());
            Integer tenantLimit = shares.maxConcurrentRuns(a.tenant());
            String reason = null;
            if (!shares.loaded()) {
                reason = WaitReasons.LIMITS_LOADING;
            } else if (tenantLimit != null && (counts.running.getOrDefault(t, 0) >= tenantLimit
                    || !queued && counts.held.getOrDefault(t, 0) > 0)) {
                reason = WaitReasons.tenantLimit(tenantLimit);
            } else if (a.pipelineLimit() != null && (counts.running.getOrDefault(p, 0) >= a.pipelineLimit()
                    || !queued && counts.held.getOrDefault(p, 0) > 0)) {
                reason = WaitReasons.pipelineLimit(a.pipelineLimit());
            }
            if (reason == null) {
                counts.running.merge(t, 1, Integer::sum);
                counts.running.merge(p, 1, Integer::sum);
            } else {
                heldBack.put(a.run(), reason);
                if (!queued) {
                    counts.held.merge(reason.startsWith(WaitReasons.TENANT_LIMIT) ? t : p, 1, Integer::sum);
                }
            }
        }
        if (!heldBack.isEmpty()) {
            someHeld = true;
        }
        return heldBack;
    }

    boolean someHeld() {
        return someHeld;
    }

    void noneHeld() {
        someHeld = false;
    }

    /** The asks of held runs read by {@link RunAdmissions}, in the rows' order. */
    static List<Ask> asks(Iterable<Row> rows) {
        List<Ask> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Ask(r.getUUID("id"), r.getUUID("tenant_id"), r.getUUID("pipeline_id"),
                    r.getInteger("max_concurrent_runs")));
        }
        return out;
    }
}
