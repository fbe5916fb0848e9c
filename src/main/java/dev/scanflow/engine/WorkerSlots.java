package dev.scanflow.engine;

import dev.scanflow.domain.WorkerMatcher;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The SQL of worker capacity: one {@code worker_slots} row per slot, claimed by a step with
 * {@code FOR UPDATE SKIP LOCKED}, so max_concurrency holds across runs and replicas while
 * transitions of different runs on the same worker take different rows and never wait for each
 * other (docs/adr/0003-worker-slots.md). Also where the candidate workers of a decision are read.
 */
@ApplicationScoped
public class WorkerSlots {

    /** A worker benched for unacknowledged commands gets nothing new until the bench ends. */
    static final String NOT_BENCHED = "AND (w.benched_until IS NULL OR w.benched_until <= now()) ";

    /** Online, not draining workers the runs' tenants may use that have a free slot, with their load. */
    static final String CANDIDATES = "SELECT w.id, w.tenant_id, w.capabilities, w.tools, w.max_concurrency, "
            + "(SELECT count(*) FROM worker_slots b WHERE b.worker_id = w.id AND b.step_run_id IS NOT NULL)::int "
            + "AS active_commands FROM workers w WHERE w.status = 'online' AND NOT w.draining " + NOT_BENCHED
            + "AND (w.tenant_id IS NULL OR w.tenant_id = ANY($1)) AND EXISTS (SELECT 1 FROM worker_slots f "
            + "WHERE f.worker_id = w.id AND f.step_run_id IS NULL AND f.slot < w.max_concurrency)";

    /**
     * Every online, not draining worker the tenants of the given scan commands' runs may use,
     * with the slots it holds, full or not: read together with the locking reads of a batch of
     * results, before the slots this batch frees are freed ({@link #withFreed} counts those back).
     */
    static final String CANDIDATES_FOR_COMMANDS = "SELECT w.id, w.tenant_id, w.capabilities, w.tools, "
            + "w.max_concurrency, (SELECT count(*) FROM worker_slots b WHERE b.worker_id = w.id "
            + "AND b.step_run_id IS NOT NULL)::int AS active_commands FROM workers w WHERE w.status = 'online' "
            + "AND NOT w.draining " + NOT_BENCHED + "AND (w.tenant_id IS NULL OR w.tenant_id IN (SELECT r.tenant_id FROM pipeline_runs r "
            + "WHERE r.id IN (SELECT run_id FROM commands WHERE id = ANY($1) AND type = 'scan')))";

    /**
     * Takes the lowest free slots of a worker for steps ($2, in order), one slot each; slots other
     * transactions are freeing or taking right now are locked and skipped. Returns the steps that
     * got a slot: fewer than asked (or none) when the worker is full, draining or offline.
     */
    static final String CLAIM = "WITH free AS (SELECT worker_id, slot, row_number() OVER (ORDER BY slot) AS n FROM ("
            + "SELECT s.worker_id, s.slot FROM worker_slots s JOIN workers w ON w.id = s.worker_id "
            + "WHERE s.worker_id = $1 AND s.step_run_id IS NULL AND s.slot < w.max_concurrency "
            + "AND w.status = 'online' AND NOT w.draining " + NOT_BENCHED + "ORDER BY s.slot LIMIT cardinality($2::uuid[]) "
            + "FOR UPDATE OF s SKIP LOCKED) locked), "
            + "wanted AS (SELECT step, n FROM unnest($2::uuid[]) WITH ORDINALITY AS t(step, n)) "
            + "UPDATE worker_slots ws SET step_run_id = wanted.step FROM free JOIN wanted USING (n) "
            + "WHERE ws.worker_id = free.worker_id AND ws.slot = free.slot RETURNING ws.step_run_id";

    /**
     * Gives a worker slot rows 0 to {@code slots - 1} where it has none yet. Rows are never
     * deleted here: a worker that offers less keeps its rows up to its high-water mark (at most
     * its registration's concurrency) and a claim takes only {@code slot < max_concurrency}, so a
     * worker flipping between 1 and 1000 rewrites no rows (ADR 0003).
     */
    public Uni<Void> ensure(SqlClient tx, String workerId, int slots) {
        return tx.preparedQuery("INSERT INTO worker_slots (worker_id, slot) SELECT $1, g FROM generate_series(0, $2 - 1) g "
                        + "ON CONFLICT DO NOTHING")
                .execute(Tuple.of(workerId, slots)).replaceWithVoid();
    }

    /**
     * Removes the free slot rows of offline workers (their held slots were freed when they were
     * lost; rows still held go once freed); {@link #ensure} gives them back when the worker comes
     * online. The worker rows are locked (skipping busy ones) so that a heartbeat bringing one
     * back online cannot lose its new rows to this delete. Returns the rows removed.
     */
    public Uni<Integer> dropOffline(SqlClient client) {
        return client.query("DELETE FROM worker_slots s WHERE s.step_run_id IS NULL AND s.worker_id IN ("
                        + "SELECT w.id FROM workers w WHERE w.status = 'offline' AND EXISTS (SELECT 1 FROM worker_slots f "
                        + "WHERE f.worker_id = w.id AND f.step_run_id IS NULL) FOR NO KEY UPDATE OF w SKIP LOCKED)")
                .execute().map(rows -> rows.rowCount());
    }

    /**
     * The slots each of these workers holds now (workers holding none are left out): the fleet's
     * view of a worker's load, read on the caller's client.
     */
    public Uni<Map<String, Integer>> activeCommands(SqlClient client, List<String> workerIds) {
        if (workerIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.preparedQuery("SELECT worker_id, count(*)::int AS active_commands FROM worker_slots "
                        + "WHERE worker_id = ANY($1) AND step_run_id IS NOT NULL GROUP BY worker_id")
                .execute(Tuple.of((Object) workerIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Integer> active = new HashMap<>();
                    rows.forEach(r -> active.put(r.getString("worker_id"), r.getInteger("active_commands")));
                    return active;
                });
    }

    /** Workers with a free slot that the tenants may use (no query for no tenant). */
    Uni<List<WorkerMatcher.Candidate>> candidates(SqlClient tx, UUID[] tenants) {
        if (tenants.length == 0) {
            return Uni.createFrom().item(List.of());
        }
        return tx.preparedQuery(CANDIDATES).execute(Tuple.of(tenants)).map(WorkerSlots::candidates);
    }

    /** The workers that may take steps of the runs of these scan commands (see {@link #CANDIDATES_FOR_COMMANDS}). */
    Uni<List<WorkerMatcher.Candidate>> candidatesForCommands(SqlClient tx, List<UUID> commandIds) {
        return tx.preparedQuery(CANDIDATES_FOR_COMMANDS).execute(Tuple.of(commandIds.toArray(UUID[]::new)))
                .map(WorkerSlots::candidates);
    }

    /** Candidates read before this transaction freed slots, with those slots counted as free. */
    static List<WorkerMatcher.Candidate> withFreed(List<WorkerMatcher.Candidate> candidates, List<String> freedSlotsOf) {
        if (freedSlotsOf.isEmpty()) {
            return candidates;
        }
        return candidates.stream().map(c -> {
            int freed = (int) freedSlotsOf.stream().filter(c.id()::equals).count();
            return freed == 0 ? c : new WorkerMatcher.Candidate(c.id(), c.tenantId(), c.capabilities(), c.tools(),
                    c.maxConcurrency(), Math.max(0, c.active() - freed), c.online(), c.draining());
        }).toList();
    }

    /** Claims a slot of the worker for each step; the steps that got one. */
    Uni<Set<UUID>> claim(SqlClient tx, String workerId, UUID[] steps) {
        return tx.preparedQuery(CLAIM).execute(Tuple.of(workerId, steps)).map(rows -> {
            Set<UUID> got = new HashSet<>();
            rows.forEach(r -> got.add(r.getUUID("step_run_id")));
            return got;
        });
    }

    /**
     * Frees the slots the steps held on these workers ({@code workers[i]} held {@code steps[i]}),
     * found by the primary key's prefix: step_run_id is in no index, so the update is HOT
     * (V20). The rows stay locked by this transaction until it ends.
     */
    Uni<Void> release(SqlClient tx, List<UUID> steps, List<String> workers) {
        if (steps.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("UPDATE worker_slots ws SET step_run_id = NULL FROM unnest($1::text[], $2::uuid[]) "
                        + "AS f(worker_id, step) WHERE ws.worker_id = f.worker_id AND ws.step_run_id = f.step")
                .execute(Tuple.of(workers.toArray(String[]::new), steps.toArray(UUID[]::new))).replaceWithVoid();
    }

    /**
     * Benches workers that let a command's ack timeout pass: no new command for the configured
     * time, doubling with each repeat since the worker last acknowledged one, up to the maximum.
     */
    Uni<Void> bench(SqlClient tx, List<String> workers, java.time.Duration first, java.time.Duration max) {
        if (workers.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("UPDATE workers SET ack_timeouts = ack_timeouts + 1, benched_until = now() + "
                        + "make_interval(secs => least($2::float8 * power(2, least(ack_timeouts, 20)), $3::float8)) "
                        + "WHERE id = ANY($1)")
                .execute(Tuple.of(workers.stream().distinct().toArray(String[]::new), (double) first.toSeconds(),
                        (double) max.toSeconds()))
                .replaceWithVoid();
    }

    /** Workers that acknowledged a command are trusted again (a no-op for the ones never benched). */
    Uni<Void> unbench(SqlClient tx, List<String> workers) {
        if (workers.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("UPDATE workers SET ack_timeouts = 0, benched_until = NULL "
                        + "WHERE id = ANY($1) AND ack_timeouts > 0")
                .execute(Tuple.of((Object) workers.stream().distinct().toArray(String[]::new)))
                .replaceWithVoid();
    }

    private static List<WorkerMatcher.Candidate> candidates(Iterable<Row> rows) {
        List<WorkerMatcher.Candidate> candidates = new ArrayList<>();
        for (Row r : rows) {
            candidates.add(new WorkerMatcher.Candidate(r.getString("id"), r.getUUID("tenant_id"),
                    new HashSet<>(Arrays.asList(r.getArrayOfStrings("capabilities"))),
                    new HashSet<>(Arrays.asList(r.getArrayOfStrings("tools"))), r.getInteger("max_concurrency"),
                    r.getInteger("active_commands"), true, false));
        }
        return candidates;
    }
}
