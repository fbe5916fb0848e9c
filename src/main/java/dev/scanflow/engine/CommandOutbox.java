package dev.scanflow.engine;

import static dev.scanflow.common.PgValues.odt;

import dev.scanflow.common.ColumnArrays;
import dev.scanflow.common.PgValues;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.ScanCommand;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The commands outbox: written in the transaction that decided them, published after commit.
 * Also what others check against a command: the log listener (lines of a scan command, from its
 * worker) and the credential listener ({@link #issuedScan}).
 */
@ApplicationScoped
public class CommandOutbox {

    static final String TABLE = "commands";

    Uni<Void> insert(SqlClient tx, List<CommandFactory.CommandRow> commands) {
        if (commands.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        ColumnArrays rows = new ColumnArrays(commands.size(), UUID.class, UUID.class, UUID.class, UUID.class,
                String.class, String.class, String.class, String.class, String.class, Integer.class, OffsetDateTime.class);
        commands.forEach(c -> rows.row(c.id(), c.tenantId(), c.runId(), c.stepRunId(), c.workerId(), c.type(), c.priority(),
                new String(c.payload(), StandardCharsets.UTF_8), c.subject(), c.attempt(), odt(c.createdAt())));
        return tx.preparedQuery("INSERT INTO commands (id, tenant_id, run_id, step_run_id, worker_id, type, priority, "
                        + "payload, status, subject, attempt, created_at) SELECT id, tenant_id, run_id, step_run_id, "
                        // the serialized messages as text: PostgreSQL parses them once, the client not at all
                        + "worker_id, type, priority, payload::jsonb, 'pending', subject, attempt, created_at "
                        + "FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], "
                        + "$8::text[], $9::text[], $10::int[], $11::timestamptz[]) AS c(id, tenant_id, run_id, step_run_id, "
                        + "worker_id, type, priority, payload, subject, attempt, created_at)")
                .execute(rows.tuple()).replaceWithVoid();
    }

    /** A scan command as sent: its run, its step run and the worker it went to. */
    public record SentScan(UUID runId, UUID stepRunId, String workerId) {
    }

    /** The scan commands among these ids, by id (other ids are left out), read on the caller's client. */
    public Uni<Map<UUID, SentScan>> scans(SqlClient client, Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.preparedQuery("SELECT id, run_id, step_run_id, worker_id FROM commands "
                        + "WHERE id = ANY($1) AND type = 'scan'")
                .execute(Tuple.of(ids.toArray(UUID[]::new)))
                .map(rows -> {
                    Map<UUID, SentScan> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getUUID("id"),
                            new SentScan(r.getUUID("run_id"), r.getUUID("step_run_id"), r.getString("worker_id"))));
                    return out;
                });
    }

    /**
     * A scan command as the findings package files what it found: its tenant, run, step run and
     * asset, the worker it went to, the step's tool, whether its step is still on it (queued or
     * running with this command), and whether the step run completed (with whichever attempt).
     */
    public record ScanOfFindings(UUID commandId, UUID tenantId, UUID runId, UUID stepRunId, UUID assetId,
            String workerId, String tool, boolean stepActive, boolean stepCompleted) {
    }

    /** The scan command with this id as the findings package needs it, or null. */
    public Uni<ScanOfFindings> scanOfFindings(SqlClient client, UUID commandId) {
        return client.preparedQuery("SELECT c.tenant_id, c.run_id, c.step_run_id, c.worker_id, r.asset_id, s.tool, "
                        + "(s.command_id = c.id AND s.status IN ('queued', 'running')) AS step_active, "
                        + "(s.status = 'completed') AS step_completed "
                        + "FROM commands c JOIN step_runs s ON s.id = c.step_run_id JOIN pipeline_runs r ON r.id = c.run_id "
                        + "WHERE c.id = $1 AND c.type = 'scan'")
                .execute(Tuple.of(commandId))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return null;
                    }
                    var r = rows.iterator().next();
                    return new ScanOfFindings(commandId, r.getUUID("tenant_id"), r.getUUID("run_id"),
                            r.getUUID("step_run_id"), r.getUUID("asset_id"), r.getString("worker_id"), r.getString("tool"),
                            Boolean.TRUE.equals(r.getBoolean("step_active")),
                            Boolean.TRUE.equals(r.getBoolean("step_completed")));
                });
    }

    /**
     * A scan command as the credential listener checks a request against it: its tenant, the
     * worker it went to and when it was made, the run's pipeline, whether its step is still on it
     * (queued or running with this command), and the command as sent (target and credential
     * references; never a value: commands hold none).
     */
    public record IssuedScan(UUID commandId, UUID tenantId, String workerId, Instant createdAt, UUID pipelineId,
            String pipelineName, boolean stepActive, ScanCommand command) {
    }

    /** The scan command with this id, or null (no such command, or a cancel). */
    public Uni<IssuedScan> issuedScan(SqlClient client, UUID commandId) {
        return client.preparedQuery("SELECT c.id, c.tenant_id, c.worker_id, c.created_at, c.payload::text AS message, "
                        + "r.pipeline_id, r.pipeline_name, (s.command_id = c.id AND s.status IN ('queued', 'running')) "
                        + "AS step_active FROM commands c JOIN step_runs s ON s.id = c.step_run_id "
                        + "JOIN pipeline_runs r ON r.id = c.run_id WHERE c.id = $1 AND c.type = 'scan'")
                .execute(Tuple.of(commandId))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return null;
                    }
                    var r = rows.iterator().next();
                    ScanCommand command;
                    try {
                        command = ProtocolJson.read(r.getString("message").getBytes(StandardCharsets.UTF_8),
                                ScanCommand.class);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException("a stored command is unreadable: " + commandId, e);
                    }
                    return new IssuedScan(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("worker_id"),
                            PgValues.instant(r, "created_at"), r.getUUID("pipeline_id"), r.getString("pipeline_name"),
                            Boolean.TRUE.equals(r.getBoolean("step_active")), command);
                });
    }
}
