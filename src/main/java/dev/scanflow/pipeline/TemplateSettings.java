package dev.scanflow.pipeline;

import dev.scanflow.common.PgValues;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Template versions' {@code settings} (the stored JSON, as plain maps) for readers on the reactive
 * client, such as the notification planner: read on the caller's client, inside its transaction.
 */
@ApplicationScoped
public class TemplateSettings {

    /** The settings of these template versions (rows, not pipelines), by version id. */
    public Uni<Map<UUID, Map<String, Object>>> of(SqlClient client, Collection<UUID> templateIds) {
        if (templateIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.preparedQuery("SELECT id, settings FROM pipeline_templates WHERE id = ANY($1)")
                .execute(Tuple.of(templateIds.toArray(UUID[]::new)))
                .map(rows -> {
                    Map<UUID, Map<String, Object>> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getUUID("id"), PgValues.json(r, "settings")));
                    return out;
                });
    }
}
