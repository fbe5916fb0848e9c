package dev.scanflow.auth;

import dev.scanflow.common.PgValues;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Tenants live in the identity provider; a row is created the first time a tenant writes
 * something: by {@link #ensure} inside that write's Hibernate transaction, or by
 * {@link #ensureWithoutSession} on its own before a write made on the reactive client (a row
 * left by a write that then fails is harmless: it only says the tenant exists). A row also
 * carries the tenant's share of shared workers and its run limit, which a platform admin sets
 * ({@link Share}).
 */
@ApplicationScoped
public class TenantRegistry {

    private static final String SHARE_COLUMNS = "id, weight, max_concurrent_runs, updated_at, updated_by";

    private final Pool pool;

    /** A tenant's weight in the fair share of shared workers, its run limit (null: none), and who set them when. */
    public record Share(UUID tenant, int weight, Integer maxConcurrentRuns, Instant updatedAt, String updatedBy) {

        /** What a tenant has until a platform admin sets something. */
        public static final int DEFAULT_WEIGHT = 1;

        boolean isDefault() {
            return weight == DEFAULT_WEIGHT && maxConcurrentRuns == null;
        }
    }

    public TenantRegistry(Pool pool) {
        this.pool = pool;
    }

    /** On the reactive client, in a statement of its own, for writes made without a Hibernate session. */
    public Uni<Void> ensureWithoutSession(UUID tenantId) {
        return pool.preparedQuery("INSERT INTO tenants (id) VALUES ($1) ON CONFLICT (id) DO NOTHING")
                .execute(Tuple.of(tenantId)).replaceWithVoid();
    }

    /** In the caller's Hibernate session, so inside its transaction. */
    public Uni<Void> ensure(UUID tenantId) {
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(
                                "INSERT INTO tenants (id) VALUES (:id) ON CONFLICT (id) DO NOTHING")
                        .setParameter("id", tenantId)
                        .executeUpdate())
                .replaceWithVoid();
    }

    /** The tenant's share, or null when the tenant has no row (it never wrote anything). */
    Uni<Share> share(UUID tenant) {
        return pool.preparedQuery("SELECT " + SHARE_COLUMNS + " FROM tenants WHERE id = $1").execute(Tuple.of(tenant))
                .map(TenantRegistry::first);
    }

    /** Sets the tenant's share; the row as written, or null when the tenant has no row. */
    Uni<Share> writeShare(UUID tenant, int weight, Integer maxConcurrentRuns, String user) {
        return pool.preparedQuery("UPDATE tenants SET weight = $2, max_concurrent_runs = $3, updated_at = now(), "
                        + "updated_by = $4 WHERE id = $1 RETURNING " + SHARE_COLUMNS)
                .execute(Tuple.from(Arrays.asList(tenant, weight, maxConcurrentRuns, user)))
                .map(TenantRegistry::first);
    }

    /** The tenants whose share is not the default (every other tenant has weight 1 and no run limit). */
    Uni<List<Share>> setShares() {
        return pool.query("SELECT " + SHARE_COLUMNS + " FROM tenants WHERE weight <> " + Share.DEFAULT_WEIGHT
                        + " OR max_concurrent_runs IS NOT NULL")
                .execute().map(rows -> {
                    List<Share> out = new ArrayList<>();
                    rows.forEach(r -> out.add(share(r)));
                    return out;
                });
    }

    private static Share first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? share(it.next()) : null;
    }

    private static Share share(Row r) {
        return new Share(r.getUUID("id"), r.getInteger("weight"), r.getInteger("max_concurrent_runs"),
                PgValues.instant(r, "updated_at"), r.getString("updated_by"));
    }
}
