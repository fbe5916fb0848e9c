package dev.scanflow.engine;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The SQL of per-target budgets ({@code target_holds}, docs/adr/0012-fair-admission.md): a step
 * given to a worker holds a place of its target, taken in the dispatching transaction and given
 * back in the one that frees its worker slot. A target's places are counted under a
 * transaction-scoped advisory lock on the target (taken in key order, so two transactions never
 * wait for each other in a cycle), which makes a budget hold across runs, tenants and replicas.
 */
@ApplicationScoped
public class TargetHolds {

    private final Pool pool;

    public TargetHolds(Pool pool) {
        this.pool = pool;
    }

    /** Locks the targets ($1), in order, until the transaction ends. */
    static final String LOCK = "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 2412))) FROM "
            + "(SELECT DISTINCT k FROM unnest($1::text[]) k ORDER BY k) t";

    /**
     * Holds a place for each step ($1, in order) of its target ($2) while the target's holds stay
     * within its budget ($4); returns the steps that got one. Sent right behind {@link #LOCK}: its
     * snapshot is taken once the locks are held, so it sees every committed hold.
     */
    static final String HOLD = "WITH wanted AS (SELECT step, target, tenant, budget, "
            + "row_number() OVER (PARTITION BY target ORDER BY n) AS k "
            + "FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::int[]) WITH ORDINALITY AS w(step, target, tenant, budget, n)), "
            + "held AS (SELECT target, count(*) AS c FROM target_holds WHERE target = ANY($2) GROUP BY target) "
            + "INSERT INTO target_holds (step_run_id, target, tenant_id) SELECT wanted.step, wanted.target, wanted.tenant "
            + "FROM wanted LEFT JOIN held USING (target) WHERE coalesce(held.c, 0) + wanted.k <= wanted.budget "
            + "ON CONFLICT (step_run_id) DO NOTHING RETURNING step_run_id";

    /** A step asking for a place of its target. */
    record Ask(UUID step, String target, UUID tenant, int budget) {
    }

    /** Takes places for the steps; the steps that got one. */
    Uni<Set<UUID>> hold(SqlClient tx, List<Ask> asks) {
        if (asks.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        String[] targets = asks.stream().map(Ask::target).toArray(String[]::new);
        Uni<?> lock = tx.preparedQuery(LOCK).execute(Tuple.of((Object) targets));
        Uni<Set<UUID>> held = tx.preparedQuery(HOLD).execute(Tuple.of(asks.stream().map(Ask::step).toArray(UUID[]::new),
                        targets, asks.stream().map(Ask::tenant).toArray(UUID[]::new),
                        asks.stream().map(a -> a.budget()).toArray(Integer[]::new)))
                .map(rows -> {
                    Set<UUID> got = new HashSet<>();
                    rows.forEach(r -> got.add(r.getUUID("step_run_id")));
                    return got;
                });
        return Uni.combine().all().unis(lock, held).with((l, h) -> h);
    }

    /** Gives back the places of the steps. */
    Uni<Void> release(SqlClient tx, List<UUID> steps) {
        if (steps.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("DELETE FROM target_holds WHERE step_run_id = ANY($1)")
                .execute(Tuple.of((Object) steps.toArray(UUID[]::new))).replaceWithVoid();
    }

    /** Places held now, by target, for these targets (a pass's view). */
    Uni<Map<String, Integer>> counts(SqlClient client, Set<String> targets) {
        if (targets.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.preparedQuery("SELECT target, count(*)::int AS c FROM target_holds WHERE target = ANY($1) GROUP BY target")
                .execute(Tuple.of((Object) targets.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Integer> out = new HashMap<>();
                    for (Row r : rows) {
                        out.put(r.getString("target"), r.getInteger("c"));
                    }
                    return out;
                });
    }

    /**
     * Gives back places whose step no longer holds a worker (a safety net: every path that frees
     * a slot gives its place back in the same transaction). Returns the rows removed.
     */
    Uni<Integer> sweep() {
        return pool.query("DELETE FROM target_holds h WHERE NOT EXISTS (SELECT 1 FROM worker_slots ws "
                        + "WHERE ws.step_run_id = h.step_run_id)")
                .execute().map(rows -> rows.rowCount());
    }
}
