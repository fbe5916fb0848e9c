package dev.scanflow.run;

import dev.scanflow.common.ApiException;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.Page;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.Decision;
import dev.scanflow.domain.DurationText;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.RunStatus;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
import dev.scanflow.domain.ValidationError;
import dev.scanflow.pipeline.PipelineService;
import dev.scanflow.pipeline.definition.ConditionCel;
import dev.scanflow.pipeline.definition.StepSpec;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Pipeline runs: trigger, read, cancel, retry, logs. Every query is scoped by tenant. */
@ApplicationScoped
public class RunService {

    public static final Set<String> PRIORITIES = Set.of("critical", "high", "normal", "low");

    private final Pool pool;
    private final RunStore store;
    private final RunEngine engine;
    private final PipelineService pipelines;
    private final ScanflowConfig config;

    public RunService(Pool pool, RunStore store, RunEngine engine, PipelineService pipelines, ScanflowConfig config) {
        this.pool = pool;
        this.store = store;
        this.engine = engine;
        this.pipelines = pipelines;
        this.config = config;
    }

    /** Who or what started a run. */
    public record Trigger(String type, String triggeredBy, String user) {
    }

    // ------------------------------------------------------------------ trigger

    public Uni<RunViews.RunView> trigger(UUID tenant, UUID pipelineId, TriggerRequest request, Trigger trigger) {
        List<ValidationError> errors = new ArrayList<>();
        UUID assetId = null;
        if (request.assetId() == null || request.assetId().isBlank()) {
            errors.add(ValidationError.at("$.asset_id", "is required"));
        } else {
            try {
                assetId = UUID.fromString(request.assetId());
            } catch (IllegalArgumentException e) {
                errors.add(ValidationError.at("$.asset_id", "must be a UUID"));
            }
        }
        String priority = request.priority() == null ? "normal" : request.priority();
        if (!PRIORITIES.contains(priority)) {
            errors.add(ValidationError.at("$.priority", "must be one of critical, high, normal, low"));
        }
        if (!errors.isEmpty()) {
            return Uni.createFrom().failure(ApiException.invalid("Invalid run request", errors));
        }
        UUID asset = assetId;
        Map<String, Object> context = new LinkedHashMap<>(request.context() == null ? Map.of() : request.context());
        if (trigger.user() != null) {
            context.put("user", trigger.user());
        }
        return pipelines.pinLatest(tenant, pipelineId).chain(pinned -> {
            if (!pinned.active()) {
                return Uni.createFrom().failure(ApiException.conflict(
                        "pipeline " + pipelineId + " is deactivated; it cannot be run"));
            }
            return create(tenant, pinned, asset, context, priority, trigger);
        }).chain(runId -> get(tenant, runId));
    }

    private Uni<UUID> create(UUID tenant, PipelineService.PinnedTemplate pinned, UUID assetId,
            Map<String, Object> context, String priority, Trigger trigger) {
        List<OutboxMessage> outgoing = new ArrayList<>();
        Decision[] decided = new Decision[1];
        RunState[] created = new RunState[1];
        UUID runId = UUID.randomUUID();
        return pool.withTransaction(tx -> loadAsset(tx, tenant, assetId).chain(asset -> {
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    var settings = pinned.definition().settings();
                    Instant deadline = settings.timeout() == null ? null
                            : now.plusSeconds(DurationText.parseSeconds(settings.timeout()).orElseThrow());
                    List<StepState> steps = new ArrayList<>();
                    List<StepSpec> specs = pinned.definition().steps();
                    for (int i = 0; i < specs.size(); i++) {
                        steps.add(stepState(specs.get(i), i, settings.retryFailedSteps()));
                    }
                    Map<String, Object> runVars = new LinkedHashMap<>();
                    runVars.put("id", runId.toString());
                    runVars.put("trigger_type", trigger.type());
                    runVars.put("triggered_by", trigger.triggeredBy());
                    RunState state = new RunState(runId, tenant, RunStatus.PENDING, settings.maxParallelSteps(),
                            settings.failFast(), deadline, null, asset, context, runVars, steps);
                    LoadedRun loaded = new LoadedRun(state, pinned.pipelineId(), pinned.version(), pinned.name(), assetId,
                            priority);
                    created[0] = state;
                    return insertRun(tx, loaded, pinned, trigger, now)
                            .chain(() -> insertSteps(tx, state))
                            .chain(() -> engine.apply(tx, loaded, engine.decider()::start, outgoing))
                            .invoke(d -> decided[0] = d);
                }))
                .invoke(() -> engine.afterCommit(created[0], decided[0], outgoing))
                .replaceWith(runId);
    }

    private StepState stepState(StepSpec spec, int index, int retryDefault) {
        String cel = spec.condition() == null ? null : ConditionCel.of(spec.condition());
        int retries = spec.maxRetries() != null ? spec.maxRetries() : retryDefault;
        int delay = spec.retryDelaySeconds() != null ? spec.retryDelaySeconds()
                : (int) config.engine().defaultRetryDelay().toSeconds();
        return new StepState(UUID.randomUUID(), spec.id(), spec.name(), spec.order(), index, spec.tool(),
                spec.capabilities(), spec.config(), DurationText.parseSeconds(spec.timeout()).orElseThrow().intValue(),
                spec.dependsOn(), cel, cel, delay, StepStatus.PENDING, 0, 1 + retries);
    }

    private Uni<Map<String, Object>> loadAsset(SqlConnection tx, UUID tenant, UUID assetId) {
        return tx.preparedQuery("SELECT id, type, name, url, tags, criticality, properties FROM assets "
                        + "WHERE id = $1 AND tenant_id = $2")
                .execute(Tuple.of(assetId, tenant))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ApiException.invalid("$.asset_id", "no asset " + assetId + " in this tenant");
                    }
                    Row r = rows.iterator().next();
                    Map<String, Object> asset = new LinkedHashMap<>();
                    asset.put("id", r.getUUID("id").toString());
                    asset.put("type", r.getString("type"));
                    asset.put("name", r.getString("name"));
                    asset.put("url", r.getString("url") == null ? "" : r.getString("url"));
                    asset.put("has_url", r.getString("url") != null && !r.getString("url").isBlank());
                    asset.put("tags", Arrays.asList(r.getArrayOfStrings("tags")));
                    asset.put("criticality", r.getString("criticality"));
                    asset.put("properties", RunStore.json(r, "properties"));
                    return asset;
                });
    }

    private Uni<Void> insertRun(SqlConnection tx, LoadedRun loaded, PipelineService.PinnedTemplate pinned,
            Trigger trigger, Instant now) {
        RunState run = loaded.state();
        return tx.preparedQuery("INSERT INTO pipeline_runs (id, tenant_id, pipeline_id, template_id, pipeline_version, "
                        + "asset_id, status, trigger_type, triggered_by, priority, context, total_steps, created_at, "
                        + "deadline_at, max_parallel_steps, fail_fast, asset, pipeline_name) VALUES ($1, $2, $3, $4, $5, "
                        + "$6, 'pending', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)")
                .execute(Tuple.from(Arrays.asList(run.id, run.tenantId, pinned.pipelineId(), pinned.templateId(),
                        pinned.version(), loaded.assetId(), trigger.type(), trigger.triggeredBy(), loaded.priority(),
                        new JsonObject(run.context), run.steps().size(), RunStore.odt(now),
                        RunStore.odt(run.deadlineAt), run.maxParallelSteps, run.failFast, new JsonObject(run.asset),
                        pinned.name())))
                .replaceWithVoid();
    }

    private Uni<Void> insertSteps(SqlConnection tx, RunState run) {
        List<Tuple> batch = new ArrayList<>();
        for (StepState s : run.steps()) {
            batch.add(Tuple.from(Arrays.asList(s.id, run.id, run.tenantId, s.key, s.name, s.order, s.index, s.tool,
                    s.capabilities.toArray(String[]::new), new JsonObject(s.config), s.timeoutSeconds,
                    s.dependsOn.toArray(String[]::new), s.conditionCel, s.conditionText, s.retryDelaySeconds,
                    s.maxAttempts)));
        }
        return tx.preparedQuery("INSERT INTO step_runs (id, run_id, tenant_id, step_key, name, step_order, step_index, "
                        + "tool, capabilities, config, timeout_seconds, depends_on, condition_cel, condition_text, "
                        + "retry_delay_seconds, max_attempts, status, attempt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                        + "$9, $10, $11, $12, $13, $14, $15, $16, 'pending', 0)")
                .executeBatch(batch).replaceWithVoid();
    }

    // ------------------------------------------------------------------ cancel, retry

    public Uni<RunViews.RunView> cancel(UUID tenant, UUID runId) {
        return engine.decide(runId, false, (run, now) -> {
            requireTenant(run, tenant, runId);
            if (run.status.terminal() && run.status != RunStatus.CANCELLED) {
                throw ApiException.conflict("run " + runId + " already ended " + run.status.wire());
            }
            return engine.decider().cancel(run, now);
        }).chain(d -> get(tenant, runId));
    }

    public Uni<RunViews.RunView> retry(UUID tenant, UUID runId) {
        return engine.decide(runId, false, (run, now) -> {
            requireTenant(run, tenant, runId);
            if (!(run.status == RunStatus.FAILED || run.status == RunStatus.CANCELLED || run.status == RunStatus.TIMEOUT)) {
                throw ApiException.conflict("only failed, cancelled or timed-out runs can be retried; run " + runId
                        + " is " + run.status.wire());
            }
            return engine.decider().retry(run, now);
        }).chain(d -> get(tenant, runId));
    }

    private static void requireTenant(RunState run, UUID tenant, UUID runId) {
        if (!run.tenantId.equals(tenant)) {
            throw notFound(runId);
        }
    }

    // ------------------------------------------------------------------ reads

    public Uni<RunViews.RunView> get(UUID tenant, UUID runId) {
        // both queries sent at once (pipelined): one round trip
        return Uni.combine().all()
                .unis(pool.preparedQuery("SELECT * FROM pipeline_runs WHERE id = $1 AND tenant_id = $2")
                        .execute(Tuple.of(runId, tenant)), steps(tenant, runId))
                .withUni((rows, steps) -> rows.size() == 0 ? Uni.createFrom().failure(notFound(runId))
                        : Uni.createFrom().item(runView(rows.iterator().next(), steps)));
    }

    public Uni<List<RunViews.StepRunView>> steps(UUID tenant, UUID runId) {
        return pool.preparedQuery("SELECT * FROM step_runs WHERE run_id = $1 AND tenant_id = $2 "
                        + "ORDER BY step_order, step_index")
                .execute(Tuple.of(runId, tenant))
                .map(rows -> {
                    List<RunViews.StepRunView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(stepView(r)));
                    return out;
                });
    }

    public Uni<RunViews.StepRunView> step(UUID tenant, UUID runId, String stepKey) {
        return pool.preparedQuery("SELECT * FROM step_runs WHERE run_id = $1 AND tenant_id = $2 AND step_key = $3")
                .execute(Tuple.of(runId, tenant, stepKey))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ApiException.notFound("step '" + stepKey + "' of run " + runId);
                    }
                    return stepView(rows.iterator().next());
                });
    }

    public Uni<Page<RunViews.RunSummary>> list(UUID tenant, String status, UUID pipelineId, UUID assetId,
            Instant from, Instant to, int limit, Cursor after) {
        StringBuilder sql = new StringBuilder("SELECT * FROM pipeline_runs WHERE tenant_id = $1");
        List<Object> params = new ArrayList<>();
        params.add(tenant);
        if (status != null) {
            params.add(status);
            sql.append(" AND status = $").append(params.size());
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
            params.add(RunStore.odt(from));
            sql.append(" AND created_at >= $").append(params.size());
        }
        if (to != null) {
            params.add(RunStore.odt(to));
            sql.append(" AND created_at < $").append(params.size());
        }
        if (after != null) {
            params.add(RunStore.odt(after.createdAt()));
            int at = params.size();
            params.add(after.id());
            sql.append(" AND (created_at, id) < ($").append(at).append(", $").append(at + 1).append(")");
        }
        params.add(limit + 1);
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT $").append(params.size());
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(rows -> {
            List<Row> all = new ArrayList<>();
            rows.forEach(all::add);
            List<Row> page = all.size() > limit ? all.subList(0, limit) : all;
            String next = all.size() > limit
                    ? new Cursor(RunStore.instant(page.get(page.size() - 1), "created_at"),
                            page.get(page.size() - 1).getUUID("id")).encode()
                    : null;
            return new Page<>(page.stream().map(RunService::summary).toList(), next);
        });
    }

    public Uni<Page<RunViews.LogLine>> logs(UUID tenant, UUID runId, String stepKey, int limit, Long afterId) {
        return step(tenant, runId, stepKey).chain(step -> pool.preparedQuery(
                        "SELECT l.id, l.seq, l.line, l.command_id, l.created_at FROM step_logs l "
                                + "JOIN step_runs s ON s.id = l.step_run_id "
                                + "WHERE s.run_id = $1 AND s.tenant_id = $2 AND s.step_key = $3 AND l.id > $4 "
                                + "ORDER BY l.id LIMIT $5")
                .execute(Tuple.from(Arrays.asList(runId, tenant, stepKey, afterId == null ? 0L : afterId, limit + 1)))
                .map(rows -> {
                    List<Row> all = new ArrayList<>();
                    rows.forEach(all::add);
                    List<Row> page = all.size() > limit ? all.subList(0, limit) : all;
                    String next = all.size() > limit ? String.valueOf(page.get(page.size() - 1).getLong("id")) : null;
                    return new Page<>(page.stream().map(r -> new RunViews.LogLine(r.getLong("seq"), r.getString("line"),
                            r.getUUID("command_id"), RunStore.instant(r, "created_at"))).toList(), next);
                }));
    }

    public Uni<List<RunViews.RunEvent>> events(UUID tenant, UUID runId, long afterSeq) {
        return pool.preparedQuery("SELECT seq, type, step_key, payload, created_at FROM run_events "
                        + "WHERE run_id = $1 AND tenant_id = $2 AND seq > $3 ORDER BY seq")
                .execute(Tuple.of(runId, tenant, afterSeq))
                .map(rows -> {
                    List<RunViews.RunEvent> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new RunViews.RunEvent(r.getLong("seq"), r.getString("type"),
                            r.getString("step_key"), RunStore.json(r, "payload"), RunStore.instant(r, "created_at"))));
                    return out;
                });
    }

    // ------------------------------------------------------------------ mapping

    private static RunViews.RunView runView(Row r, List<RunViews.StepRunView> steps) {
        Instant started = RunStore.instant(r, "started_at");
        Instant completed = RunStore.instant(r, "completed_at");
        Long duration = started != null && completed != null ? completed.toEpochMilli() - started.toEpochMilli() : null;
        return new RunViews.RunView(r.getUUID("id"), r.getUUID("pipeline_id"), r.getUUID("tenant_id"), r.getString("pipeline_name"),
                r.getInteger("pipeline_version"), r.getUUID("asset_id"), r.getString("status"),
                r.getString("trigger_type"), r.getString("triggered_by"), r.getString("priority"),
                RunStore.json(r, "context"), r.getInteger("total_steps"), r.getInteger("completed_steps"),
                r.getInteger("failed_steps"), r.getInteger("skipped_steps"), r.getInteger("total_findings"),
                r.getString("error_message"), RunStore.instant(r, "created_at"), started, completed, duration, steps);
    }

    private static RunViews.RunSummary summary(Row r) {
        return new RunViews.RunSummary(r.getUUID("id"), r.getUUID("pipeline_id"), r.getUUID("tenant_id"), r.getString("pipeline_name"),
                r.getInteger("pipeline_version"), r.getUUID("asset_id"), r.getString("status"),
                r.getString("trigger_type"), r.getString("triggered_by"), r.getString("priority"),
                r.getInteger("total_steps"), r.getInteger("completed_steps"), r.getInteger("failed_steps"),
                r.getInteger("skipped_steps"), r.getInteger("total_findings"), RunStore.instant(r, "created_at"),
                RunStore.instant(r, "started_at"), RunStore.instant(r, "completed_at"));
    }

    private static RunViews.StepRunView stepView(Row r) {
        Instant started = RunStore.instant(r, "started_at");
        Instant completed = RunStore.instant(r, "completed_at");
        return new RunViews.StepRunView(r.getString("step_key"), r.getString("name"), r.getInteger("step_order"),
                r.getString("status"), r.getInteger("attempt"), r.getInteger("max_attempts"), r.getString("worker_id"),
                r.getUUID("command_id"), r.getBoolean("condition_evaluated"), r.getBoolean("condition_result"),
                r.getString("skip_reason"), r.getInteger("findings_count"),
                RunStore.jsonOrNull(r, "findings_by_severity"), RunStore.jsonOrNull(r, "output"), r.getString("scan_id"),
                r.getString("error_code"), r.getString("error_message"), RunStore.instant(r, "queued_at"), started,
                completed, started != null && completed != null ? java.time.Duration.between(started, completed).toSeconds() : null,
                RunStore.instant(r, "next_attempt_at"));
    }

    static ApiException notFound(UUID runId) {
        return ApiException.notFound("run " + runId);
    }
}
