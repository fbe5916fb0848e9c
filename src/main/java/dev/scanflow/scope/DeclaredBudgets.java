package dev.scanflow.scope;

import dev.scanflow.domain.TargetBudget;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The budgets every tenant's policy declares, merged per target key: the lowest
 * {@code max_active_steps} and the lowest {@code requests_per_second} any tenant gave (a tenant
 * that gave no rate does not lift another's), so that a target several tenants scan is
 * protected for all of them. Immutable, built when the policies change, read on the engine's
 * dispatch path. Plain Java.
 */
final class DeclaredBudgets {

    static final DeclaredBudgets NONE = new DeclaredBudgets(Map.of());

    private final Map<String, TargetBudget> byKey;

    private DeclaredBudgets(Map<String, TargetBudget> byKey) {
        this.byKey = byKey;
    }

    static DeclaredBudgets of(Collection<ScanPolicy> policies) {
        Map<String, TargetBudget> out = new HashMap<>();
        for (ScanPolicy policy : policies) {
            for (TargetBudget b : policy.targetBudgets()) {
                out.merge(b.target(), b, DeclaredBudgets::lower);
            }
        }
        return out.isEmpty() ? NONE : new DeclaredBudgets(Map.copyOf(out));
    }

    /** The budget declared for the key, or null when no tenant declared one. */
    TargetBudget of(String key) {
        return byKey.get(key);
    }

    int size() {
        return byKey.size();
    }

    private static TargetBudget lower(TargetBudget a, TargetBudget b) {
        Integer rate = a.requestsPerSecond() == null ? b.requestsPerSecond()
                : b.requestsPerSecond() == null ? a.requestsPerSecond()
                : Integer.valueOf(Math.min(a.requestsPerSecond(), b.requestsPerSecond()));
        return new TargetBudget(a.target(), Math.min(a.maxActiveSteps(), b.maxActiveSteps()), rate);
    }
}
