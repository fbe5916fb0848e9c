package dev.scanflow.engine;

import static dev.scanflow.common.PgValues.instant;
import static dev.scanflow.common.PgValues.json;
import static dev.scanflow.common.PgValues.jsonText;
import static dev.scanflow.common.PgValues.jsonOrNull;
import static dev.scanflow.common.PgValues.odt;

import dev.scanflow.common.ColumnArrays;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.RunStatus;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
import dev.scanflow.domain.TargetBudgets;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The SQL of runs and their step runs on the engine's path: insert a new run, lock and load runs
 * for a decision, write what a decision changed. The engine uses the reactive client directly
 * (not Hibernate) so that each transition costs a known, small number of statements
 * (docs/adr/0001-engine-sql-client.md).
 */
@ApplicationScoped
public class RunRows {

    private final TargetBudgets budgets;

    public RunRows(TargetBudgets budgets) {
        this.budgets = budgets;
    }

    static final String RUN_COLUMNS = "id, tenant_id, status, max_parallel_steps, fail_fast, deadline_at, started_at, "
            + "completed_at, error_message, asset, context, trigger_type, triggered_by, pipeline_id, pipeline_version, "
            + "asset_id, priority, pipeline_name, wait_reason, max_concurrent_runs";
    static final String STEP_COLUMNS = "id, step_key, name, step_order, step_index, tool, capabilities, config, "
            + "timeout_seconds, depends_on, condition_cel, condition_text, retry_delay_seconds, status, attempt, "
            + "max_attempts, worker_id, command_id, condition_evaluated, condition_result, skip_reason, skip_kind, "
            + "findings_count, findings_by_severity, output, error_code, error_message, queued_at, started_at, "
            + "completed_at, next_attempt_at, dispatched_at, worker_losses, previous_worker_id, scan_id, wait_reason, "
            + "new_findings_count, new_findings_by_severity, fixed_findings_count, fixed_findings_by_severity";

    /** Locks the run row (waiting for another holder) and loads it with its steps; null when absent. */
    Uni<LoadedRun> lock(SqlClient tx, UUID runId, boolean skipLocked) {
        String sql = "SELECT " + RUN_COLUMNS + " FROM pipeline_runs WHERE id = $1 FOR UPDATE" + (skipLocked ? " SKIP LOCKED" : "");
        return load(tx, sql, "SELECT " + STEP_COLUMNS + " FROM step_runs WHERE run_id = $1", runId);
    }

    /**
     * Locks (in id order, skipping runs another transaction holds) and loads these runs with their
     * steps: two queries sent at once, one round trip. Runs that were busy are left out.
     */
    Uni<List<LoadedRun>> lockSkipping(SqlClient tx, List<UUID> runIds) {
        Tuple ids = Tuple.of((Object) runIds.toArray(UUID[]::new));
        return Uni.combine().all()
                .unis(tx.preparedQuery("SELECT " + RUN_COLUMNS + " FROM pipeline_runs WHERE id = ANY($1) ORDER BY id "
                                + "FOR UPDATE SKIP LOCKED").execute(ids),
                        tx.preparedQuery("SELECT run_id, " + STEP_COLUMNS + " FROM step_runs WHERE run_id = ANY($1)").execute(ids))
                .with(RunRows::toLoaded);
    }

    /** Runs locked for a batch of results, and which run each known scan command belongs to. */
    record LockedBatch(List<LoadedRun> runs, Map<UUID, UUID> runOfCommand) {
    }

    /**
     * Locks (in id order, so concurrent batches cannot deadlock) and loads the runs a batch of
     * scan commands belongs to: three queries sent at once, one round trip.
     */
    Uni<LockedBatch> lockByCommands(SqlClient tx, List<UUID> commandIds) {
        Tuple ids = Tuple.of(commandIds.toArray(UUID[]::new));
        String runsOf = "(SELECT run_id FROM commands WHERE id = ANY($1) AND type = 'scan')";
        return Uni.combine().all()
                .unis(tx.preparedQuery("SELECT id, run_id FROM commands WHERE id = ANY($1) AND type = 'scan'").execute(ids),
                        tx.preparedQuery("SELECT " + RUN_COLUMNS + " FROM pipeline_runs WHERE id IN " + runsOf
                                + " ORDER BY id FOR UPDATE").execute(ids),
                        tx.preparedQuery("SELECT run_id, " + STEP_COLUMNS + " FROM step_runs WHERE run_id IN " + runsOf)
                                .execute(ids))
                .with((commands, runs, steps) -> {
                    Map<UUID, UUID> runOf = new java.util.HashMap<>();
                    for (Row c : commands) {
                        runOf.put(c.getUUID("id"), c.getUUID("run_id"));
                    }
                    return new LockedBatch(toLoaded(runs, steps), runOf);
                });
    }

    /**
     * Sends both queries at once (pipelined on the transaction's connection): PostgreSQL runs
     * them in order, so the steps are read after the run's lock is held, in one round trip.
     */
    private Uni<LoadedRun> load(SqlClient tx, String runSql, String stepsSql, UUID key) {
        return Uni.combine().all()
                .unis(tx.preparedQuery(runSql).execute(Tuple.of(key)), tx.preparedQuery(stepsSql).execute(Tuple.of(key)))
                .asTuple()
                .map(both -> both.getItem1().size() == 0 ? null
                        : toLoaded(both.getItem1().iterator().next(), both.getItem2()));
    }

    /** Run rows (in their order) with their steps from rows that carry {@code run_id}. */
    private static List<LoadedRun> toLoaded(Iterable<Row> runs, Iterable<Row> steps) {
        Map<UUID, List<Row>> stepsOf = new java.util.HashMap<>();
        for (Row st : steps) {
            stepsOf.computeIfAbsent(st.getUUID("run_id"), k -> new ArrayList<>()).add(st);
        }
        List<LoadedRun> loaded = new ArrayList<>();
        for (Row r : runs) {
            loaded.add(toLoaded(r, stepsOf.getOrDefault(r.getUUID("id"), List.of())));
        }
        return loaded;
    }

    private static LoadedRun toLoaded(Row r, Iterable<Row> stepRows) {
        List<StepState> steps = new ArrayList<>();
        for (Row s : stepRows) {
            steps.add(toStep(s));
        }
        Map<String, Object> runVars = new java.util.LinkedHashMap<>();
        runVars.put("id", r.getUUID("id").toString());
        runVars.put("trigger_type", r.getString("trigger_type"));
        runVars.put("triggered_by", r.getString("triggered_by") == null ? "" : r.getString("triggered_by"));
        RunState state = new RunState(r.getUUID("id"), r.getUUID("tenant_id"), RunStatus.fromWire(r.getString("status")),
                r.getInteger("max_parallel_steps"), r.getBoolean("fail_fast"), instant(r, "deadline_at"),
                instant(r, "started_at"), json(r, "asset"), json(r, "context"), runVars, steps);
        state.completedAt = instant(r, "completed_at");
        state.errorMessage = r.getString("error_message");
        state.waitReason = r.getString("wait_reason");
        return new LoadedRun(state, r.getUUID("pipeline_id"), r.getInteger("pipeline_version"),
                r.getString("pipeline_name"), r.getUUID("asset_id"), r.getString("priority"),
                r.getInteger("max_concurrent_runs"));
    }

    private static StepState toStep(Row s) {
        StepState step = new StepState(s.getUUID("id"), s.getString("step_key"), s.getString("name"),
                s.getInteger("step_order"), s.getInteger("step_index"), s.getString("tool"),
                Arrays.asList(s.getArrayOfStrings("capabilities")), json(s, "config"), s.getInteger("timeout_seconds"),
                Arrays.asList(s.getArrayOfStrings("depends_on")), s.getString("condition_cel"),
                s.getString("condition_text"), s.getInteger("retry_delay_seconds"),
                StepStatus.fromWire(s.getString("status")), s.getInteger("attempt"), s.getInteger("max_attempts"));
        step.workerId = s.getString("worker_id");
        step.commandId = s.getUUID("command_id");
        step.conditionEvaluated = s.getBoolean("condition_evaluated");
        step.conditionResult = s.getBoolean("condition_result");
        step.skipReason = s.getString("skip_reason");
        step.skipKind = s.getString("skip_kind");
        step.findingsCount = s.getInteger("findings_count");
        step.findingsBySeverity = jsonOrNull(s, "findings_by_severity");
        step.newFindingsCount = s.getInteger("new_findings_count");
        step.newFindingsBySeverity = jsonOrNull(s, "new_findings_by_severity");
        step.fixedFindingsCount = s.getInteger("fixed_findings_count");
        step.fixedFindingsBySeverity = jsonOrNull(s, "fixed_findings_by_severity");
        step.output = jsonOrNull(s, "output");
        step.scanId = s.getString("scan_id");
        step.errorCode = s.getString("error_code");
        step.errorMessage = s.getString("error_message");
        step.queuedAt = instant(s, "queued_at");
        step.startedAt = instant(s, "started_at");
        step.completedAt = instant(s, "completed_at");
        step.nextAttemptAt = instant(s, "next_attempt_at");
        step.dispatchedAt = instant(s, "dispatched_at");
        step.workerLosses = s.getInteger("worker_losses");
        step.previousWorkerId = s.getString("previous_worker_id");
        step.waitReason = s.getString("wait_reason");
        return step;
    }

    /**
     * Writes the changed steps of the runs (one statement) and the runs' status and counters
     * (another), both sent at once: one round trip and two statements whatever the number of
     * runs and steps (multi-row updates from arrays, {@link ColumnArrays}).
     */
    Uni<Void> save(SqlClient tx, List<RunState> runs, java.util.function.BiFunction<RunState, StepState, Instant> dueAt) {
        List<RunState> changedRuns = runs.stream().filter(r -> !r.changedSteps().isEmpty() || r.dirty()).toList();
        int stepCount = changedRuns.stream().mapToInt(r -> r.changedSteps().size()).sum();
        ColumnArrays steps = new ColumnArrays(stepCount, UUID.class, String.class, Integer.class, String.class, UUID.class,
                Boolean.class, Boolean.class, String.class, String.class, Integer.class, String.class, String.class,
                String.class, String.class, OffsetDateTime.class, OffsetDateTime.class, OffsetDateTime.class,
                OffsetDateTime.class, OffsetDateTime.class, Integer.class, OffsetDateTime.class, String.class, String.class,
                String.class, Integer.class, String.class, Integer.class, String.class);
        ColumnArrays runRows = new ColumnArrays(changedRuns.size(), UUID.class, String.class, OffsetDateTime.class,
                OffsetDateTime.class, String.class, Integer.class, Integer.class, Integer.class, Integer.class, String.class);
        for (RunState run : changedRuns) {
            for (StepState s : run.changedSteps()) {
                steps.row(s.id, s.status.wire(), s.attempt, s.workerId, s.commandId,
                        s.conditionEvaluated != null && s.conditionEvaluated, s.conditionResult, s.skipReason,
                        s.skipKind, s.findingsCount, jsonText(s.findingsBySeverity), jsonText(s.output), s.errorCode,
                        s.errorMessage, odt(s.queuedAt), odt(s.startedAt), odt(s.completedAt), odt(s.nextAttemptAt),
                        odt(s.dispatchedAt), s.workerLosses, odt(dueAt.apply(run, s)), s.previousWorkerId, s.scanId,
                        s.waitReason, s.newFindingsCount, jsonText(s.newFindingsBySeverity), s.fixedFindingsCount,
                        jsonText(s.fixedFindingsBySeverity));
            }
            runRows.row(run.id, run.status.wire(), odt(run.startedAt), odt(run.completedAt), run.errorMessage,
                    run.count(StepStatus.COMPLETED), run.count(StepStatus.FAILED) + run.count(StepStatus.TIMEOUT),
                    run.count(StepStatus.SKIPPED), run.totalFindings(), run.waitReason);
        }
        Uni<?> stepUpdate = stepCount == 0 ? Uni.createFrom().voidItem()
                : tx.preparedQuery("UPDATE step_runs s SET status = v.status, attempt = v.attempt, worker_id = v.worker_id, "
                        + "command_id = v.command_id, condition_evaluated = v.condition_evaluated, "
                        + "condition_result = v.condition_result, skip_reason = v.skip_reason, skip_kind = v.skip_kind, "
                        + "findings_count = v.findings_count, findings_by_severity = v.findings_by_severity::jsonb, "
                        + "output = v.output::jsonb, error_code = v.error_code, error_message = v.error_message, "
                        + "queued_at = v.queued_at, started_at = v.started_at, completed_at = v.completed_at, "
                        + "next_attempt_at = v.next_attempt_at, dispatched_at = v.dispatched_at, "
                        + "worker_losses = v.worker_losses, due_at = v.due_at, previous_worker_id = v.previous_worker_id, "
                        + "scan_id = v.scan_id, wait_reason = v.wait_reason, new_findings_count = v.new_findings_count, "
                        + "new_findings_by_severity = v.new_findings_by_severity::jsonb, "
                        + "fixed_findings_count = v.fixed_findings_count, "
                        + "fixed_findings_by_severity = v.fixed_findings_by_severity::jsonb "
                        + "FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::uuid[], $6::bool[], $7::bool[], "
                        + "$8::text[], $9::text[], $10::int[], $11::text[], $12::text[], $13::text[], $14::text[], "
                        + "$15::timestamptz[], $16::timestamptz[], $17::timestamptz[], $18::timestamptz[], "
                        + "$19::timestamptz[], $20::int[], $21::timestamptz[], $22::text[], $23::text[], $24::text[], "
                        + "$25::int[], $26::text[], $27::int[], $28::text[]) AS v(id, status, attempt, worker_id, command_id, "
                        + "condition_evaluated, condition_result, skip_reason, skip_kind, findings_count, "
                        + "findings_by_severity, output, error_code, error_message, queued_at, started_at, completed_at, "
                        + "next_attempt_at, dispatched_at, worker_losses, due_at, previous_worker_id, scan_id, wait_reason, "
                        + "new_findings_count, new_findings_by_severity, fixed_findings_count, fixed_findings_by_severity) "
                        + "WHERE s.id = v.id")
                        .execute(steps.tuple());
        Uni<?> runUpdate = changedRuns.isEmpty() ? Uni.createFrom().voidItem()
                : tx.preparedQuery("UPDATE pipeline_runs r SET status = v.status, started_at = v.started_at, "
                        + "completed_at = v.completed_at, error_message = v.error_message, "
                        + "completed_steps = v.completed_steps, failed_steps = v.failed_steps, "
                        + "skipped_steps = v.skipped_steps, total_findings = v.total_findings, wait_reason = v.wait_reason, "
                        + "updated_at = now() FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], "
                        + "$5::text[], $6::int[], $7::int[], $8::int[], $9::int[], $10::text[]) AS v(id, status, started_at, "
                        + "completed_at, error_message, completed_steps, failed_steps, skipped_steps, total_findings, "
                        + "wait_reason) WHERE r.id = v.id")
                        .execute(runRows.tuple());
        return Uni.combine().all().unis(stepUpdate, runUpdate).discardItems();
    }

    // ------------------------------------------------------------------ new runs

    /**
     * Inserts new runs ({@code pending}) and all their steps in two statements, whatever the
     * number of runs and steps: one multi-row INSERT per table from arrays (unnest), so that a
     * burst of a schedule's 10,000 runs costs two round trips' worth of statements, not 10,000
     * run inserts and one per step.
     */
    Uni<Void> insert(SqlClient tx, List<NewRun> newRuns, Instant now) {
        if (newRuns.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int stepCount = newRuns.stream().mapToInt(r -> r.state().steps().size()).sum();
        ColumnArrays runColumns = new ColumnArrays(newRuns.size(), UUID.class, UUID.class, UUID.class, UUID.class,
                Integer.class, UUID.class, String.class, String.class, String.class, String.class, Integer.class,
                OffsetDateTime.class, OffsetDateTime.class, Integer.class, Boolean.class, String.class, String.class,
                String.class, Integer.class, String.class);
        ColumnArrays stepColumns = new ColumnArrays(stepCount, UUID.class, UUID.class, UUID.class, String.class,
                String.class, Integer.class, Integer.class, String.class, String.class, String.class, Integer.class,
                String.class, String.class, String.class, Integer.class, Integer.class);
        for (NewRun run : newRuns) {
            RunState state = run.state();
            runColumns.row(state.id, state.tenantId, run.pipelineId(), run.templateId(), run.pipelineVersion(),
                    run.assetId(), run.triggerType(), run.triggeredBy(), run.priority(), new JsonObject(state.context).encode(),
                    state.steps().size(), odt(now), odt(state.deadlineAt), state.maxParallelSteps, state.failFast,
                    new JsonObject(state.asset).encode(), run.pipelineName(), state.waitReason, run.maxConcurrentRuns(),
                    budgets.keyOf(state.asset));
            for (StepState st : state.steps()) {
                stepColumns.row(st.id, state.id, state.tenantId, st.key, st.name, st.order, st.index, st.tool,
                        new JsonArray(st.capabilities).encode(), new JsonObject(st.config).encode(), st.timeoutSeconds,
                        new JsonArray(st.dependsOn).encode(), st.conditionCel, st.conditionText, st.retryDelaySeconds,
                        st.maxAttempts);
            }
        }
        Uni<?> runRows = tx.preparedQuery("INSERT INTO pipeline_runs (id, tenant_id, pipeline_id, template_id, "
                        + "pipeline_version, asset_id, status, trigger_type, triggered_by, priority, context, total_steps, "
                        + "created_at, deadline_at, max_parallel_steps, fail_fast, asset, pipeline_name, wait_reason, "
                        + "max_concurrent_runs, target_key) SELECT id, tenant_id, pipeline_id, template_id, pipeline_version, "
                        + "asset_id, 'pending', trigger_type, triggered_by, priority, context::jsonb, total_steps, created_at, "
                        + "deadline_at, max_parallel_steps, fail_fast, asset::jsonb, pipeline_name, wait_reason, "
                        + "max_concurrent_runs, target_key FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], "
                        + "$5::int[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int[], "
                        + "$12::timestamptz[], $13::timestamptz[], $14::int[], $15::bool[], $16::text[], $17::text[], "
                        + "$18::text[], $19::int[], $20::text[]) AS r(id, tenant_id, pipeline_id, template_id, "
                        + "pipeline_version, asset_id, trigger_type, triggered_by, priority, context, total_steps, created_at, "
                        + "deadline_at, max_parallel_steps, fail_fast, asset, pipeline_name, wait_reason, "
                        + "max_concurrent_runs, target_key)")
                .execute(runColumns.tuple());
        // text arrays travel as JSON: a two-dimensional array would not unnest row by row
        Uni<?> stepRows = tx.preparedQuery("INSERT INTO step_runs (id, run_id, tenant_id, step_key, name, step_order, "
                        + "step_index, tool, capabilities, config, timeout_seconds, depends_on, condition_cel, "
                        + "condition_text, retry_delay_seconds, max_attempts, status, attempt) SELECT id, run_id, tenant_id, "
                        + "step_key, name, step_order, step_index, tool, "
                        + "ARRAY(SELECT jsonb_array_elements_text(capabilities::jsonb)), config::jsonb, timeout_seconds, "
                        + "ARRAY(SELECT jsonb_array_elements_text(depends_on::jsonb)), condition_cel, condition_text, "
                        + "retry_delay_seconds, max_attempts, 'pending', 0 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], "
                        + "$4::text[], $5::text[], $6::int[], $7::int[], $8::text[], $9::text[], $10::text[], $11::int[], "
                        + "$12::text[], $13::text[], $14::text[], $15::int[], $16::int[]) AS s(id, run_id, tenant_id, "
                        + "step_key, name, step_order, step_index, tool, capabilities, config, timeout_seconds, depends_on, "
                        + "condition_cel, condition_text, retry_delay_seconds, max_attempts)")
                .execute(stepColumns.tuple());
        return Uni.combine().all().unis(runRows, stepRows).discardItems();
    }

    /**
     * Workers that queued or running steps are on but that are no longer registered: a crash
     * between deleting a registration and handing its steps over, before the two were one
     * transaction. Nothing else would move those steps before their timeout.
     */
    Uni<List<String>> vanishedWorkers(SqlClient client, int limit) {
        return client.preparedQuery("SELECT DISTINCT s.worker_id FROM step_runs s WHERE s.status IN ('queued', 'running') "
                        + "AND s.worker_id IS NOT NULL AND s.command_id IS NOT NULL "
                        + "AND NOT EXISTS (SELECT 1 FROM workers w WHERE w.id = s.worker_id) LIMIT $1")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getString("worker_id")));
                    return ids;
                });
    }

    /** The runs with a step that a lost worker holds (queued with its command, or running). */
    Uni<List<UUID>> runsHeldBy(SqlClient client, String workerId) {
        return client.preparedQuery("SELECT DISTINCT run_id FROM step_runs WHERE worker_id = $1 "
                        + "AND status IN ('queued', 'running') AND command_id IS NOT NULL")
                .execute(Tuple.of(workerId))
                .map(rows -> {
                    List<UUID> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getUUID("run_id")));
                    return ids;
                });
    }

    /** The active runs of a pipeline on these assets (the overlap rules' question). */
    Uni<Set<UUID>> activeOn(SqlClient client, UUID pipelineId, Collection<UUID> assetIds) {
        return activeOnByAsset(client, pipelineId, assetIds).map(byAsset -> Set.copyOf(byAsset.values()));
    }

    Uni<Map<UUID, UUID>> activeOnByAsset(SqlClient client, UUID pipelineId, Collection<UUID> assetIds) {
        if (assetIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.preparedQuery("SELECT id, asset_id FROM pipeline_runs WHERE pipeline_id = $1 AND asset_id = ANY($2) "
                        + "AND status IN ('pending', 'running') ORDER BY created_at, id")
                .execute(Tuple.of(pipelineId, assetIds.toArray(UUID[]::new)))
                .map(rows -> {
                    Map<UUID, UUID> byAsset = new HashMap<>();
                    rows.forEach(r -> byAsset.put(r.getUUID("asset_id"), r.getUUID("id"))); // the newest wins
                    return byAsset;
                });
    }

    Uni<Set<UUID>> stillActive(SqlClient client, Collection<UUID> runIds) {
        if (runIds.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return client.preparedQuery("SELECT id FROM pipeline_runs WHERE id = ANY($1) AND status IN ('pending', 'running')")
                .execute(Tuple.of(runIds.toArray(UUID[]::new)))
                .map(rows -> {
                    Set<UUID> ids = new HashSet<>();
                    rows.forEach(r -> ids.add(r.getUUID("id")));
                    return ids;
                });
    }
}
