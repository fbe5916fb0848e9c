package dev.scanflow.asset;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** An asset as the API returns it: its credentials by name only. */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record AssetView(UUID id, String type, String name, String url, List<String> tags, String criticality,
        Map<String, Object> properties, List<String> credentials, String createdBy, Instant createdAt,
        Instant updatedAt) {

    static AssetView of(AssetEntity e) {
        return new AssetView(e.id, e.type, e.name, e.url, e.tags, e.criticality, e.properties,
                e.credentials == null ? List.of() : e.credentials, e.createdBy,
                e.createdAt, e.updatedAt);
    }
}
