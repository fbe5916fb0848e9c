package dev.scanflow.engine;

import static dev.scanflow.common.PgValues.instant;
import static dev.scanflow.common.PgValues.json;
import static dev.scanflow.common.PgValues.jsonOrNull;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What other packages read of runs besides the runs API (the notification planner and its
 * channels): read only, on the caller's client, so inside its transaction when it has one.
 */
@ApplicationScoped
public class RunReads {

    /** A run as a report shows it: pipeline, asset (its copy), outcome, trigger, findings, timings, steps. */
    public record RunReport(UUID id, UUID pipelineId, String pipelineName, Integer pipelineVersion,
            Map<String, Object> asset, String status, String triggerType, String triggeredBy, Integer totalFindings,
            String errorMessage, Instant startedAt, Instant completedAt, List<StepReport> steps, boolean filedFindings) {
    }

    /** A step run in a report; {@code findingsBySeverity} is null when the step reported none. */
    public record StepReport(String key, String name, String status, Integer findingsCount,
            Map<String, Object> findingsBySeverity, String skipReason, String errorCode, String errorMessage) {
    }

    /** Whether the run exists and is the tenant's. */
    public Uni<Boolean> exists(SqlClient client, UUID tenant, UUID runId) {
        return client.preparedQuery("SELECT 1 FROM pipeline_runs WHERE id = $1 AND tenant_id = $2")
                .execute(Tuple.of(runId, tenant))
                .map(rows -> rows.iterator().hasNext());
    }

    /**
     * The status of the pipeline's last run on the asset that ended (completed, failed or timed
     * out) no later than this one, this one left out; null when there is none.
     */
    public Uni<String> previousOutcome(SqlClient client, UUID runId, UUID pipelineId, UUID assetId) {
        return client.preparedQuery("SELECT status FROM pipeline_runs WHERE pipeline_id = $1 AND asset_id = $2 AND id <> $3 "
                        + "AND status IN ('completed', 'failed', 'timeout') AND completed_at <= "
                        + "(SELECT completed_at FROM pipeline_runs WHERE id = $3) ORDER BY completed_at DESC LIMIT 1")
                .execute(Tuple.of(pipelineId, assetId, runId))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString("status") : null);
    }

    /** The run and its steps (in step order, then key); fails when the run does not exist. */
    public Uni<RunReport> report(SqlClient client, UUID runId) {
        return client.preparedQuery("SELECT r.id, r.pipeline_id, r.pipeline_name, r.pipeline_version, r.asset, r.status, "
                        + "r.trigger_type, r.triggered_by, r.total_findings, r.error_message, r.started_at, r.completed_at "
                        + "FROM pipeline_runs r WHERE r.id = $1")
                .execute(Tuple.of(runId))
                .chain(runs -> client.preparedQuery("SELECT step_key, name, status, findings_count, findings_by_severity, "
                                + "skip_reason, error_code, error_message, new_findings_count FROM step_runs WHERE run_id = $1 "
                                + "ORDER BY step_order, step_key")
                        .execute(Tuple.of(runId))
                        .map(stepRows -> {
                            Row r = runs.iterator().next();
                            List<StepReport> steps = new ArrayList<>();
                            boolean[] filed = {false};
                            stepRows.forEach(s -> filed[0] |= s.getInteger("new_findings_count") != null);
                            stepRows.forEach(s -> steps.add(new StepReport(s.getString("step_key"), s.getString("name"),
                                    s.getString("status"), s.getInteger("findings_count"),
                                    jsonOrNull(s, "findings_by_severity"), s.getString("skip_reason"),
                                    s.getString("error_code"), s.getString("error_message"))));
                            return new RunReport(runId, r.getUUID("pipeline_id"), r.getString("pipeline_name"),
                                    r.getInteger("pipeline_version"), json(r, "asset"), r.getString("status"),
                                    r.getString("trigger_type"), r.getString("triggered_by"), r.getInteger("total_findings"),
                                    r.getString("error_message"), instant(r, "started_at"), instant(r, "completed_at"),
                                    steps, filed[0]);
                        }));
    }
}
