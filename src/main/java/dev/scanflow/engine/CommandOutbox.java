package dev.scanflow.engine;

import static dev.scanflow.common.PgValues.odt;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The commands outbox: written in the transaction that decided them, published after commit. */
@ApplicationScoped
public class CommandOutbox {

    static final String TABLE = "commands";

    Uni<Void> insert(SqlClient tx, List<CommandFactory.CommandRow> commands) {
        if (commands.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = commands.stream().map(c -> Tuple.from(Arrays.asList(c.id(), c.tenantId(), c.runId(),
                c.stepRunId(), c.workerId(), c.type(), c.priority(),
                new String(c.payload(), StandardCharsets.UTF_8), c.subject(), c.attempt(),
                odt(c.createdAt())))).toList();
        return tx.preparedQuery("INSERT INTO commands (id, tenant_id, run_id, step_run_id, worker_id, type, priority, "
                        + "payload, status, subject, attempt, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                        // the serialized message as text: PostgreSQL parses it once, the client not at all
                        + "$8::text::jsonb, 'pending', $9, $10, $11)")
                .executeBatch(batch).replaceWithVoid();
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
}
