package dev.scanflow.asset;

import dev.scanflow.auth.TenantRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.List;
import java.util.ArrayList;
import java.util.UUID;

/**
 * Assets announced (created through the API, or found by a discovery tool on NATS): the asset
 * and an {@code asset_announcements} row are written in one transaction, so the discovery runs
 * they owe are never lost; the discovery package turns announcements into runs.
 */
@ApplicationScoped
public class AssetAnnouncements {

    private final Pool pool;
    private final TenantRegistry tenants;

    public AssetAnnouncements(Pool pool, TenantRegistry tenants) {
        this.pool = pool;
        this.tenants = tenants;
    }

    /** The announced asset: its id and whether this announcement created it. */
    public record Announced(UUID assetId, boolean created) {
    }

    /** Records an announcement in the caller's Hibernate transaction (POST /assets). */
    Uni<Void> inSession(UUID tenant, UUID assetId, String source) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "INSERT INTO asset_announcements (tenant_id, asset_id, source) VALUES (:tenant, :asset, :source)")
                .setParameter("tenant", tenant).setParameter("asset", assetId).setParameter("source", source)
                .executeUpdate()).replaceWithVoid();
    }

    /**
     * Upserts an asset a discovery tool announced (by tenant, type and name: a known asset gets the
     * announced url, tags, criticality and properties) and records the announcement.
     */
    public Uni<Announced> announce(UUID tenant, AssetInput input, String source) {
        AssetInput a = AssetValidator.validate(input);
        return tenants.ensureWithoutSession(tenant).chain(() -> pool.withTransaction(tx -> tx.preparedQuery(
                        "INSERT INTO assets (id, tenant_id, type, name, url, tags, criticality, properties, created_by) "
                                + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant_id, type, name) DO UPDATE "
                                + "SET url = coalesce(EXCLUDED.url, assets.url), tags = EXCLUDED.tags, "
                                + "criticality = EXCLUDED.criticality, properties = EXCLUDED.properties, updated_at = now() "
                                + "RETURNING id, (xmax = 0) AS created")
                .execute(Tuple.from(new Object[] {UUID.randomUUID(), tenant, a.type(), a.name(), a.url(),
                        a.tags().toArray(String[]::new), a.criticality(), new JsonObject(a.properties()),
                        "discovery:" + source}))
                .chain(rows -> {
                    Row r = rows.iterator().next();
                    Announced announced = new Announced(r.getUUID("id"), r.getBoolean("created"));
                    return tx.preparedQuery("INSERT INTO asset_announcements (tenant_id, asset_id, source) VALUES ($1, $2, 'nats')")
                            .execute(Tuple.of(tenant, announced.assetId())).replaceWith(announced);
                })));
    }

    /** An announcement taken for expansion: for whom, and the asset (null when it was deleted since). */
    public record Taken(long id, UUID tenantId, Map<String, Object> asset) {
    }

    /**
     * Locks the oldest announcements in the caller's transaction (another replica's are skipped)
     * with their assets as runs pin them.
     */
    public static Uni<List<Taken>> take(SqlClient tx, int limit) {
        return tx.preparedQuery("SELECT a.id AS announcement, a.tenant_id AS announced_for, "
                        + "s.id, s.type, s.name, s.url, s.tags, s.criticality, s.properties, s.credentials FROM asset_announcements a "
                        + "LEFT JOIN assets s ON s.id = a.asset_id AND s.tenant_id = a.tenant_id ORDER BY a.id "
                        + "LIMIT $1 FOR UPDATE OF a SKIP LOCKED")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<Taken> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Taken(r.getLong("announcement"), r.getUUID("announced_for"),
                            r.getUUID("id") == null ? null : AssetRows.snapshot(r))));
                    return out;
                });
    }

    /** Forgets announcements taken and expanded, in the caller's transaction. */
    public static Uni<Void> forget(SqlClient tx, List<Long> ids) {
        return tx.preparedQuery("DELETE FROM asset_announcements WHERE id = ANY($1)")
                .execute(Tuple.of((Object) ids.toArray(Long[]::new))).replaceWithVoid();
    }
}
