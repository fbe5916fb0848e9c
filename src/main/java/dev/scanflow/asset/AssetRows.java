package dev.scanflow.asset;

import dev.scanflow.common.PgValues;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Asset snapshots read with the reactive client (for triggers that read assets outside a Hibernate session). */
public final class AssetRows {

    private AssetRows() {
    }

    /** The asset as a run pins it: the same fields as {@link AssetService#snapshot(AssetEntity)}. */
    public static Map<String, Object> snapshot(Row r) {
        Map<String, Object> asset = new LinkedHashMap<>();
        asset.put("id", r.getUUID("id").toString());
        asset.put("type", r.getString("type"));
        asset.put("name", r.getString("name"));
        String url = r.getString("url");
        asset.put("url", url == null ? "" : url);
        asset.put("has_url", url != null && !url.isBlank());
        String[] tags = r.getArrayOfStrings("tags");
        asset.put("tags", tags == null ? List.of() : List.of(tags));
        asset.put("criticality", r.getString("criticality"));
        asset.put("properties", PgValues.json(r, "properties"));
        return asset;
    }

    /** The tenant's assets among {@code ids}, by id. */
    public static Uni<Map<UUID, Map<String, Object>>> snapshots(SqlClient client, UUID tenant, UUID[] ids) {
        return client.preparedQuery("SELECT id, type, name, url, tags, criticality, properties FROM assets "
                        + "WHERE tenant_id = $1 AND id = ANY($2)")
                .execute(Tuple.of(tenant, ids))
                .map(rows -> {
                    Map<UUID, Map<String, Object>> out = new LinkedHashMap<>();
                    rows.forEach(r -> out.put(r.getUUID("id"), snapshot(r)));
                    return out;
                });
    }

    /**
     * The tenant's repository assets whose URL contains one of the {@code tails} (the webhook's
     * first cut; the caller compares canonical URLs), oldest first, at most 50.
     */
    public static Uni<List<Map<String, Object>>> repositoriesLike(SqlClient client, UUID tenant, List<String> tails) {
        String[] patterns = tails.stream()
                .map(t -> "%" + t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
                .toArray(String[]::new);
        return client.preparedQuery("SELECT id, type, name, url, tags, criticality, properties FROM assets "
                        + "WHERE tenant_id = $1 AND type = 'repository' AND url IS NOT NULL AND lower(url) LIKE ANY ($2) "
                        + "ORDER BY created_at, id LIMIT 50")
                .execute(Tuple.of(tenant, patterns))
                .map(rows -> {
                    List<Map<String, Object>> out = new ArrayList<>();
                    rows.forEach(r -> out.add(snapshot(r)));
                    return out;
                });
    }
}
