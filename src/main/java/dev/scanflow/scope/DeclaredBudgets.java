package dev.scanflow.scope;

import dev.scanflow.domain.TargetBudget;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The budgets every tenant's policy declares, by tenant and target key. A tenant's budget bounds
 * its own steps on the target, counting every tenant's steps there (the engine's holds are per
 * target): a tenant cannot lower, or learn, what another tenant's steps may do (ADR 0012).
 * Immutable, built when the policies change, read on the engine's dispatch path. Plain Java.
 */
final class DeclaredBudgets {

    static final DeclaredBudgets NONE = new DeclaredBudgets(Map.of());

    private final Map<UUID, Map<String, TargetBudget>> byTenant;

    private DeclaredBudgets(Map<UUID, Map<String, TargetBudget>> byTenant) {
        this.byTenant = byTenant;
    }

    static DeclaredBudgets of(Collection<ScanPolicy> policies) {
        Map<UUID, Map<String, TargetBudget>> out = new HashMap<>();
        for (ScanPolicy policy : policies) {
            if (policy.targetBudgets().isEmpty()) {
                continue;
            }
            Map<String, TargetBudget> own = new HashMap<>();
            policy.targetBudgets().forEach(b -> own.put(b.target(), b));
            out.put(policy.tenantId(), Map.copyOf(own));
        }
        return out.isEmpty() ? NONE : new DeclaredBudgets(Map.copyOf(out));
    }

    /** The budget the tenant declared for the key, or null when it declared none. */
    TargetBudget of(UUID tenant, String key) {
        Map<String, TargetBudget> own = byTenant.get(tenant);
        return own == null ? null : own.get(key);
    }

    int size() {
        return byTenant.values().stream().mapToInt(Map::size).sum();
    }
}
