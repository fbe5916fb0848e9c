package dev.scanflow.auth;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Tenants live in the identity provider; a row is created the first time a tenant writes
 * something, inside that write's transaction.
 */
@ApplicationScoped
public class TenantRegistry {

    private final Pool pool;

    public TenantRegistry(Pool pool) {
        this.pool = pool;
    }

    /** The same on the reactive client, for writes made without a Hibernate session. */
    public Uni<Void> ensureWithoutSession(UUID tenantId) {
        return pool.preparedQuery("INSERT INTO tenants (id) VALUES ($1) ON CONFLICT (id) DO NOTHING")
                .execute(Tuple.of(tenantId)).replaceWithVoid();
    }

    public Uni<Void> ensure(UUID tenantId) {
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(
                                "INSERT INTO tenants (id) VALUES (:id) ON CONFLICT (id) DO NOTHING")
                        .setParameter("id", tenantId)
                        .executeUpdate())
                .replaceWithVoid();
    }
}
