package dev.scanflow.auth;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A tenant as the API answers it: its weight in the fair share of shared workers, its run limit
 * (null: none), and who set them when (both null while nobody has). Its fields may be sent back
 * in a PUT of the share.
 */
@RegisterForReflection
@Schema(name = "Tenant", description = "A tenant's weight in the fair share of shared workers (1-1000, default 1) and "
        + "the most runs it may have running at once (1-100000; null: no limit)")
public record TenantView(UUID id, int weight, Integer maxConcurrentRuns, Instant updatedAt, String updatedBy) {

    static TenantView of(TenantRegistry.Share share) {
        return new TenantView(share.tenant(), share.weight(), share.maxConcurrentRuns(), share.updatedAt(),
                share.updatedBy());
    }

    /** A tenant nobody set anything for. */
    static TenantView defaults(UUID tenant) {
        return new TenantView(tenant, TenantRegistry.Share.DEFAULT_WEIGHT, null, null, null);
    }
}
