package dev.scanflow.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.common.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The tenants API's work: a tenant's share read (a platform admin any tenant's, anyone else only
 * their own: another tenant is a 404, as everywhere) and set by a platform admin, and this
 * replica's {@link TenantShareCache} told at once, after the commit (other replicas within
 * {@code scanflow.admission.refresh}).
 */
@ApplicationScoped
public class TenantShareService {

    private static final Logger LOG = Logger.getLogger(TenantShareService.class);

    private final TenantRegistry table;
    private final TenantShareCache cache;

    public TenantShareService(TenantRegistry table, TenantShareCache cache) {
        this.table = table;
        this.cache = cache;
    }

    /** The tenant, for a caller of {@code callerTenant} (a platform admin when {@code platform}). */
    public Uni<TenantView> get(UUID callerTenant, boolean platform, UUID tenant) {
        boolean own = tenant.equals(callerTenant);
        if (!own && !platform) {
            return Uni.createFrom().failure(notFound(tenant));
        }
        return table.share(tenant).map(share -> {
            if (share != null) {
                return TenantView.of(share);
            }
            if (own) {
                return TenantView.defaults(tenant); // the caller's own tenant, before its first write
            }
            throw notFound(tenant);
        });
    }

    /** Sets the tenant's share (the caller is a platform admin); 422 for a bad body, 404 for a tenant without a row. */
    public Uni<TenantView> putShare(UUID tenant, JsonNode body, String user) {
        TenantShareReader.Body share = TenantShareReader.read(body, tenant);
        return table.writeShare(tenant, share.weight(), share.maxConcurrentRuns(), user).map(written -> {
            if (written == null) {
                throw notFound(tenant);
            }
            cache.written(written);
            LOG.infof("tenant %s: weight %d, max_concurrent_runs %s, set by %s", tenant, written.weight(),
                    written.maxConcurrentRuns(), user);
            return TenantView.of(written);
        });
    }

    private static ApiException notFound(UUID tenant) {
        return ApiException.notFound("tenant " + tenant);
    }
}
