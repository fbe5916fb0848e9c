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
        String[] credentials = r.getArrayOfStrings("credentials");
        asset.put("credentials", credentials == null ? List.of() : List.of(credentials));
        return asset;
    }

    /** The tenant's assets among {@code ids}, by id. */
    public static Uni<Map<UUID, Map<String, Object>>> snapshots(SqlClient client, UUID tenant, UUID[] ids) {
        return client.preparedQuery("SELECT id, type, name, url, tags, criticality, properties, credentials FROM assets "
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
        return client.preparedQuery("SELECT id, type, name, url, tags, criticality, properties, credentials FROM assets "
                        + "WHERE tenant_id = $1 AND type = 'repository' AND url IS NOT NULL AND lower(url) LIKE ANY ($2) "
                        + "ORDER BY created_at, id LIMIT 50")
                .execute(Tuple.of(tenant, patterns))
                .map(rows -> {
                    List<Map<String, Object>> out = new ArrayList<>();
                    rows.forEach(r -> out.add(snapshot(r)));
                    return out;
                });
    }

    /** The names of the tenant's assets (type/name) whose scans use this credential, at most 20. */
    public static Uni<List<String>> referencing(SqlClient client, UUID tenant, String credential) {
        return client.preparedQuery("SELECT type, name FROM assets WHERE tenant_id = $1 AND credentials @> ARRAY[$2]::text[] "
                        + "ORDER BY type, name LIMIT 20")
                .execute(Tuple.of(tenant, credential))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString("type") + " '" + r.getString("name") + "'"));
                    return out;
                });
    }

    /** An asset whose URL carries credentials (found by {@link #withUserinfo}). */
    public record UserinfoAsset(UUID id, UUID tenantId, String type, String name, String url) {

        /** Never the URL: it holds a secret. */
        @Override
        public String toString() {
            return type + " '" + name + "' (" + id + ", tenant " + tenantId + ")";
        }
    }

    /** Every asset whose URL has userinfo (the caller decides with {@link UrlUserinfo} whether it is a secret). */
    public static Uni<List<UserinfoAsset>> withUserinfo(SqlClient client) {
        return client.preparedQuery("SELECT id, tenant_id, type, name, url FROM assets "
                        + "WHERE url ~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@' ORDER BY created_at, id")
                .execute()
                .map(rows -> {
                    List<UserinfoAsset> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new UserinfoAsset(r.getUUID("id"), r.getUUID("tenant_id"),
                            r.getString("type"), r.getString("name"), r.getString("url"))));
                    return out;
                });
    }

    /**
     * In the caller's transaction: the asset's URL becomes {@code cleanUrl} and it names the
     * credential, if its URL is still {@code url}; false (nothing written) when it changed since.
     */
    public static Uni<Boolean> moveUrlSecret(SqlClient tx, UUID id, String url, String cleanUrl, String credential) {
        return tx.preparedQuery("UPDATE assets SET url = $3, credentials = CASE WHEN credentials @> ARRAY[$4]::text[] "
                        + "THEN credentials ELSE array_append(credentials, $4) END, updated_at = now() "
                        + "WHERE id = $1 AND url = $2")
                .execute(Tuple.of(id, url, cleanUrl, credential))
                .map(rows -> rows.rowCount() == 1);
    }
}
