package dev.scanflow.auth;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Tenants live in the identity provider; a row is created the first time a tenant writes
 * something, inside that write's transaction.
 */
@ApplicationScoped
public class TenantRegistry {

    public Uni<Void> ensure(UUID tenantId) {
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(
                                "INSERT INTO tenants (id) VALUES (:id) ON CONFLICT (id) DO NOTHING")
                        .setParameter("id", tenantId)
                        .executeUpdate())
                .replaceWithVoid();
    }
}
