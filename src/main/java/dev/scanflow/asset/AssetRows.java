package dev.scanflow.asset;

import dev.scanflow.common.PgValues;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
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

}
