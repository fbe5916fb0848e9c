package dev.scanflow.engine;

import static dev.scanflow.common.PgValues.odt;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

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
}
