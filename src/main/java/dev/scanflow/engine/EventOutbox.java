package dev.scanflow.engine;

import dev.scanflow.common.ColumnArrays;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The run events outbox ({@code run_events}): also the runs' history, read by the runs API, and
 * what the notification planner plans from ({@code notified_at} marks the events it planned).
 */
@ApplicationScoped
public class EventOutbox {

    static final String TABLE = "run_events";

    Uni<Void> insert(SqlClient tx, List<EventFactory.EventRow> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        ColumnArrays rows = new ColumnArrays(events.size(), UUID.class, UUID.class, UUID.class, String.class,
                String.class, String.class, String.class);
        for (EventFactory.EventRow e : events) {
            rows.row(e.id(), e.tenantId(), e.runId(), e.stepKey(), e.type(), e.subject(),
                    new String(e.payload(), StandardCharsets.UTF_8));
        }
        // one statement for all of them, the payloads as text that PostgreSQL parses once
        return tx.preparedQuery("INSERT INTO run_events (id, tenant_id, run_id, step_key, type, subject, payload) "
                        + "SELECT id, tenant_id, run_id, step_key, type, subject, payload::jsonb FROM unnest($1::uuid[], "
                        + "$2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY "
                        // in the given order: seq, the events' order, is drawn row by row
                        + "AS e(id, tenant_id, run_id, step_key, type, subject, payload, n) ORDER BY n")
                .execute(rows.tuple()).replaceWithVoid();
    }

    /** An event not marked notified yet, with its run's tenant, pipeline, asset and pinned template version. */
    public record Unnotified(UUID id, UUID runId, String type, UUID tenantId, UUID pipelineId, UUID assetId,
            UUID templateId) {
    }

    /**
     * The oldest events of these types not marked notified (at most {@code limit}), locked in the
     * caller's transaction; events another transaction holds are skipped.
     */
    public Uni<List<Unnotified>> lockUnnotified(SqlClient tx, List<String> types, int limit) {
        return tx.preparedQuery("SELECT e.id, e.run_id, e.type, r.tenant_id, r.pipeline_id, r.asset_id, r.template_id "
                        + "FROM run_events e JOIN pipeline_runs r ON r.id = e.run_id WHERE e.notified_at IS NULL "
                        + "AND e.type = ANY($1) ORDER BY e.seq LIMIT $2 FOR UPDATE OF e SKIP LOCKED")
                .execute(Tuple.of(types.toArray(String[]::new), limit))
                .map(rows -> {
                    List<Unnotified> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Unnotified(r.getUUID("id"), r.getUUID("run_id"), r.getString("type"),
                            r.getUUID("tenant_id"), r.getUUID("pipeline_id"), r.getUUID("asset_id"),
                            r.getUUID("template_id"))));
                    return out;
                });
    }

    /** Marks the events notified, in the caller's transaction. */
    public Uni<Void> markNotified(SqlClient tx, List<UUID> eventIds) {
        if (eventIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("UPDATE run_events SET notified_at = now() WHERE id = ANY($1)")
                .execute(Tuple.of(eventIds.toArray(UUID[]::new)))
                .replaceWithVoid();
    }
}
