package dev.scanflow.run;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.Page;
import dev.scanflow.common.PgValues;
import dev.scanflow.domain.RunStatus;
import dev.scanflow.finding.FindingQueries;
import dev.scanflow.finding.RunFindingCounts;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;


/**
 * What the runs API reads: runs, their step runs, logs and events, always scoped by tenant.
 * Reads go straight to the tables the engine writes (one or two statements each), read only: an
 * exception to the one-owner-per-table rule (TableOwnershipTest); the logs are {@link StepLogs}'.
 */
@ApplicationScoped
public class RunQueries {

    private final Pool pool;
    private final StepLogs logs;
    private final FindingQueries findings;

    /**
     * A priority's rank as dispatch sees it: raised one level per {@code $agingSeconds} waited since
     * {@code since} (FairShare.rank in SQL).
     */
    private static String rank(String priority, String since, String agingParam) {
        return "greatest(0, (CASE " + priority + " WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END)"
                + " - floor(extract(epoch FROM now() - " + since + ") / " + agingParam + "))";
    }

    /** For each step of run $1 waiting for a worker, its place in tenant $2's line ($3: aging seconds). */
    static final String STEP_POSITIONS = "SELECT s.id, 1 + (SELECT count(*) FROM step_runs o JOIN pipeline_runs orr "
            + "ON orr.id = o.run_id WHERE o.tenant_id = $2 AND o.status = 'queued' AND o.command_id IS NULL "
            + "AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= now()) AND orr.status = 'running' AND ("
            + rank("orr.priority", "o.queued_at", "$3") + ", o.queued_at, o.id) < (" + rank("r.priority", "s.queued_at", "$3")
            + ", s.queued_at, s.id))::int AS position FROM step_runs s JOIN pipeline_runs r ON r.id = s.run_id "
            + "WHERE s.run_id = $1 AND s.tenant_id = $2 AND s.status = 'queued' AND s.command_id IS NULL "
            + "AND r.status = 'running'";

    /** A held run's place among tenant $2's held runs ($1: the run, $3: aging seconds). */
    static final String RUN_POSITION = "SELECT 1 + (SELECT count(*) FROM pipeline_runs o WHERE o.tenant_id = $2 "
            + "AND o.status = 'pending' AND o.wait_reason IS NOT NULL AND (" + rank("o.priority", "o.created_at", "$3")
            + ", o.created_at, o.id) < (" + rank("r.priority", "r.created_at", "$3") + ", r.created_at, r.id))::int "
            + "AS position FROM pipeline_runs r WHERE r.id = $1 AND r.tenant_id = $2 AND r.status = 'pending' "
            + "AND r.wait_reason IS NOT NULL";

    /** Begins a read-only transaction whose statements all see one snapshot. */
    private static final String SNAPSHOT = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

    private final ScanflowConfig config;

    public RunQueries(Pool pool, StepLogs logs, FindingQueries findings, ScanflowConfig config) {
        this.config = config;
        this.pool = pool;
        this.logs = logs;
        this.findings = findings;
    }

    // ------------------------------------------------------------------ reads

    public Uni<RunViews.RunView> get(UUID tenant, UUID runId) {
        // one snapshot for the run and its steps (a run read as failed never shows a step still
        // running): the statements go pipelined on one connection, in a read-only repeatable-read
        // transaction, one round trip
        Tuple positions = Tuple.of(runId, tenant, agingSeconds());
        return pool.withConnection(conn -> Uni.combine().all()
                .unis(conn.query(SNAPSHOT).execute(),
                        conn.preparedQuery("SELECT * FROM pipeline_runs WHERE id = $1 AND tenant_id = $2")
                                .execute(Tuple.of(runId, tenant)),
                        steps(conn, tenant, runId), findings.countsOf(conn, runId),
                        conn.preparedQuery(RUN_POSITION).execute(positions), conn.query("COMMIT").execute())
                .with(all -> {
                    @SuppressWarnings("unchecked")
                    RowSet<Row> rows = (RowSet<Row>) all.get(1);
                    @SuppressWarnings("unchecked")
                    List<RunViews.StepRunView> steps = (List<RunViews.StepRunView>) all.get(2);
                    RunFindingCounts counts = (RunFindingCounts) all.get(3);
                    @SuppressWarnings("unchecked")
                    RowSet<Row> position = (RowSet<Row>) all.get(4);
                    if (rows.size() == 0) {
                        throw notFound(runId);
                    }
                    Integer place = position.size() == 0 ? null : position.iterator().next().getInteger("position");
                    return runView(rows.iterator().next(), steps,
                            steps.stream().anyMatch(s -> s.newFindingsCount() != null) ? counts : null, place);
                }));
    }

    public Uni<List<RunViews.StepRunView>> steps(UUID tenant, UUID runId) {
        return steps(pool, tenant, runId);
    }

    private Uni<List<RunViews.StepRunView>> steps(SqlClient client, UUID tenant, UUID runId) {
        return Uni.combine().all()
                .unis(client.preparedQuery("SELECT * FROM step_runs WHERE run_id = $1 AND tenant_id = $2 "
                                + "ORDER BY step_order, step_index").execute(Tuple.of(runId, tenant)),
                        client.preparedQuery(STEP_POSITIONS).execute(Tuple.of(runId, tenant, agingSeconds())))
                .with((rows, places) -> {
                    Map<UUID, Integer> position = new java.util.HashMap<>();
                    places.forEach(p -> position.put(p.getUUID("id"), p.getInteger("position")));
                    List<RunViews.StepRunView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(stepView(r, position.get(r.getUUID("id")))));
                    return out;
                });
    }

    private double agingSeconds() {
        return Math.max(1, config.engine().priorityAging().toSeconds());
    }

    public Uni<RunViews.StepRunView> step(UUID tenant, UUID runId, String stepKey) {
        return pool.preparedQuery("SELECT * FROM step_runs WHERE run_id = $1 AND tenant_id = $2 AND step_key = $3")
                .execute(Tuple.of(runId, tenant, stepKey))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ApiException.notFound("step '" + stepKey + "' of run " + runId);
                    }
                    return stepView(rows.iterator().next(), null);
                });
    }

    public Uni<Page<RunViews.RunSummary>> list(UUID tenant, List<String> statuses, UUID pipelineId, UUID assetId,
            Instant from, Instant to, int limit, Cursor after) {
        // a list carries the new and fixed counts its steps stored (a run's page of findings can be
        // 50,000 observations: the run's own answer counts those, a list does not)
        StringBuilder sql = new StringBuilder("SELECT *, (SELECT sum(s.new_findings_count) FROM step_runs s "
                + "WHERE s.run_id = pipeline_runs.id) AS new_findings, (SELECT sum(s.fixed_findings_count) FROM step_runs s "
                + "WHERE s.run_id = pipeline_runs.id) AS fixed_findings FROM pipeline_runs WHERE tenant_id = $1");
        List<Object> params = new ArrayList<>();
        params.add(tenant);
        if (!statuses.isEmpty()) {
            params.add(statuses.toArray(String[]::new));
            sql.append(" AND status = ANY($").append(params.size()).append(")");
        }
        if (pipelineId != null) {
            params.add(pipelineId);
            sql.append(" AND pipeline_id = $").append(params.size());
        }
        if (assetId != null) {
            params.add(assetId);
            sql.append(" AND asset_id = $").append(params.size());
        }
        if (from != null) {
            params.add(PgValues.odt(from));
            sql.append(" AND created_at >= $").append(params.size());
        }
        if (to != null) {
            params.add(PgValues.odt(to));
            sql.append(" AND created_at < $").append(params.size());
        }
        if (after != null) {
            params.add(PgValues.odt(after.createdAt()));
            int at = params.size();
            params.add(after.id());
            sql.append(" AND (created_at, id) < ($").append(at).append(", $").append(at + 1).append(")");
        }
        params.add(limit + 1);
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT $").append(params.size());
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(rows -> {
            List<Row> all = new ArrayList<>();
            rows.forEach(all::add);
            return Page.of(all, limit, r -> new Cursor(PgValues.instant(r, "created_at"), r.getUUID("id")).encode(),
                    RunQueries::summary);
        });
    }

    /** A page of a step's log lines ({@link StepLogs}); 404 for an unknown step or another tenant's run. */
    public Uni<Page<RunViews.LogLine>> logs(UUID tenant, UUID runId, String stepKey, int limit, Long afterId) {
        return pool.preparedQuery("SELECT id FROM step_runs WHERE run_id = $1 AND tenant_id = $2 AND step_key = $3")
                .execute(Tuple.of(runId, tenant, stepKey))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        throw ApiException.notFound("step '" + stepKey + "' of run " + runId);
                    }
                    // (run_id, step_key) is unique: the one step run whose lines these are
                    return logs.page(pool, rows.iterator().next().getUUID("id"), limit, afterId);
                });
    }

    /** Whether the run has ended (its final event is then committed: the same transaction wrote both). */
    public Uni<Boolean> ended(UUID tenant, UUID runId) {
        return pool.preparedQuery("SELECT status FROM pipeline_runs WHERE id = $1 AND tenant_id = $2")
                .execute(Tuple.of(runId, tenant))
                .map(rows -> rows.iterator().hasNext()
                        && RunStatus.fromWire(rows.iterator().next().getString("status")).terminal());
    }

    public Uni<List<RunViews.RunEvent>> events(UUID tenant, UUID runId, long afterSeq) {
        return pool.preparedQuery("SELECT seq, type, step_key, payload, created_at FROM run_events "
                        + "WHERE run_id = $1 AND tenant_id = $2 AND seq > $3 ORDER BY seq")
                .execute(Tuple.of(runId, tenant, afterSeq))
                .map(rows -> {
                    List<RunViews.RunEvent> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new RunViews.RunEvent(r.getLong("seq"), r.getString("type"),
                            r.getString("step_key"), PgValues.json(r, "payload"), PgValues.instant(r, "created_at"))));
                    return out;
                });
    }

    // ------------------------------------------------------------------ mapping

    private static RunViews.RunView runView(Row r, List<RunViews.StepRunView> steps, RunFindingCounts f,
            Integer queuePosition) {
        Instant started = PgValues.instant(r, "started_at");
        Instant completed = PgValues.instant(r, "completed_at");
        Long duration = started != null && completed != null ? completed.toEpochMilli() - started.toEpochMilli() : null;
        return new RunViews.RunView(r.getUUID("id"), r.getUUID("pipeline_id"), r.getUUID("tenant_id"), r.getString("pipeline_name"),
                r.getInteger("pipeline_version"), r.getUUID("asset_id"), r.getString("status"),
                r.getString("trigger_type"), r.getString("triggered_by"), r.getString("priority"),
                PgValues.json(r, "context"), r.getInteger("total_steps"), r.getInteger("completed_steps"),
                r.getInteger("failed_steps"), r.getInteger("skipped_steps"), r.getInteger("total_findings"),
                f == null ? null : f.newFindingsCount(), f == null ? null : f.fixedFindingsCount(),
                f == null ? null : f.unchangedFindingsCount(), f == null ? null : f.suppressedFindingsCount(),
                f == null ? null : f.newFindingsBySeverity(), f == null ? null : f.fixedFindingsBySeverity(),
                r.getString("error_message"), PgValues.instant(r, "created_at"), started, completed, duration,
                r.getString("wait_reason"), queuePosition, steps);
    }

    /** A run in a list; the new and fixed findings its steps counted (null when no step sent records). */
    private static RunViews.RunSummary summary(Row r) {
        Long fresh = r.getLong("new_findings");
        Long fixed = r.getLong("fixed_findings");
        return new RunViews.RunSummary(r.getUUID("id"), r.getUUID("pipeline_id"), r.getUUID("tenant_id"), r.getString("pipeline_name"),
                r.getInteger("pipeline_version"), r.getUUID("asset_id"), r.getString("status"),
                r.getString("trigger_type"), r.getString("triggered_by"), r.getString("priority"),
                r.getInteger("total_steps"), r.getInteger("completed_steps"), r.getInteger("failed_steps"),
                r.getInteger("skipped_steps"), r.getInteger("total_findings"),
                fresh == null ? null : fresh.intValue(), fresh == null ? null : fixed == null ? 0 : fixed.intValue(),
                PgValues.instant(r, "created_at"),
                PgValues.instant(r, "started_at"), PgValues.instant(r, "completed_at"), r.getString("wait_reason"));
    }

    private static RunViews.StepRunView stepView(Row r, Integer queuePosition) {
        Instant started = PgValues.instant(r, "started_at");
        Instant completed = PgValues.instant(r, "completed_at");
        return new RunViews.StepRunView(r.getString("step_key"), r.getString("name"), r.getInteger("step_order"),
                r.getString("status"), r.getInteger("attempt"), r.getInteger("max_attempts"), r.getString("worker_id"),
                r.getUUID("command_id"), r.getBoolean("condition_evaluated"), r.getBoolean("condition_result"),
                r.getString("skip_reason"), r.getInteger("findings_count"),
                PgValues.jsonOrNull(r, "findings_by_severity"), r.getInteger("new_findings_count"),
                PgValues.jsonOrNull(r, "new_findings_by_severity"), r.getInteger("fixed_findings_count"),
                PgValues.jsonOrNull(r, "fixed_findings_by_severity"), PgValues.jsonOrNull(r, "output"), r.getString("scan_id"),
                r.getString("error_code"), r.getString("error_message"), PgValues.instant(r, "queued_at"), started,
                completed, started != null && completed != null ? java.time.Duration.between(started, completed).toSeconds() : null,
                PgValues.instant(r, "next_attempt_at"), r.getString("wait_reason"), queuePosition);
    }

    static ApiException notFound(UUID runId) {
        return ApiException.notFound("run " + runId);
    }
}
