package dev.scanflow.engine;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The run events outbox ({@code run_events}): also the runs' history, read by the runs API. */
@ApplicationScoped
public class EventOutbox {

    static final String TABLE = "run_events";

    Uni<Void> insert(SqlClient tx, List<EventFactory.EventRow> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = new ArrayList<>();
        for (EventFactory.EventRow e : events) {
            batch.add(Tuple.from(Arrays.asList(e.id(), e.tenantId(), e.runId(), e.stepKey(), e.type(), e.subject(),
                    new String(e.payload(), StandardCharsets.UTF_8))));
        }
        return tx.preparedQuery("INSERT INTO run_events (id, tenant_id, run_id, step_key, type, subject, payload) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb)")
                .executeBatch(batch).replaceWithVoid();
    }
}
