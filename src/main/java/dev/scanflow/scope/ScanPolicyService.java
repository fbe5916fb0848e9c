package dev.scanflow.scope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.common.ApiException;
import dev.scanflow.config.ScanflowConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * The scan policy API's work: a tenant's policy read, written (its next version) and removed,
 * and this replica's {@link PolicyCache} told at once, after the commit, so that the next
 * decision of the engine here applies it (other replicas within {@code scanflow.scope.refresh}).
 */
@ApplicationScoped
public class ScanPolicyService {

    private final ScanPolicies table;
    private final PolicyCache cache;
    private final boolean denyWithoutPolicy;

    public ScanPolicyService(ScanPolicies table, PolicyCache cache, ScanflowConfig config) {
        this.table = table;
        this.cache = cache;
        this.denyWithoutPolicy = ScanPolicy.denyWithoutPolicy(config.scope().withoutPolicy());
    }

    /** A written policy, and whether it is the tenant's first. */
    public record Written(ScanPolicyView policy, boolean created) {
    }

    public Uni<ScanPolicyView> get(UUID tenant) {
        return table.get(tenant).map(stored -> {
            if (stored == null) {
                throw noPolicy();
            }
            return ScanPolicyView.of(stored, Instant.now());
        });
    }

    public Uni<Written> put(UUID tenant, JsonNode body, String user) {
        ScanPolicyReader.Document doc = ScanPolicyReader.read(body, tenant);
        return table.write(tenant, doc, user).map(written -> {
            cache.written(written.stored().compile());
            return new Written(ScanPolicyView.of(written.stored(), Instant.now()), written.created());
        });
    }

    public Uni<Void> delete(UUID tenant) {
        return table.delete(tenant).map(deleted -> {
            if (!deleted) {
                throw noPolicy();
            }
            cache.deleted(tenant);
            return null;
        });
    }

    /** The 404 of a tenant without a policy, saying what applies to it then. */
    private ApiException noPolicy() {
        String applies = denyWithoutPolicy
                ? "every active step (capabilities " + String.join(", ", ScanPolicy.DEFAULT_ACTIVE) + ") is out of scope "
                        + "until an admin writes one (this deployment sets scanflow.scope.without-policy=deny-active)"
                : "every target is in scope (this deployment sets scanflow.scope.without-policy=allow)";
        return new ApiException(404, "not-found", "Not found", "this tenant has no scan policy: " + applies,
                java.util.List.of());
    }
}
