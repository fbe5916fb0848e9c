package dev.scanflow.auth;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Tenants live in the identity provider; a row is created the first time a tenant writes
 * something: by {@link #ensure} inside that write's Hibernate transaction, or by
 * {@link #ensureWithoutSession} on its own before a write made on the reactive client (a row
 * left by a write that then fails is harmless: it only says the tenant exists).
 */
@ApplicationScoped
public class TenantRegistry {

    private final Pool pool;

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
}
