package dev.scanflow.scope;

import dev.scanflow.domain.TargetBudget;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A tenant's scan policy, read and checked: the targets active steps may reach
 * ({@code allowed}: empty means every target not excluded), those they never may
 * ({@code excluded}, which win), when active steps wait ({@code blackouts}), and which
 * capabilities make a step active, and the budgets of the targets it scans ({@code targetBudgets},
 * keyed by {@link TargetKeys}). {@code version} counts the policy's writes.
 */
record ScanPolicy(UUID tenantId, List<TargetRule> allowed, List<TargetRule> excluded, List<BlackoutWindow> blackouts,
        List<String> activeCapabilities, List<TargetBudget> targetBudgets, int version, String updatedBy,
        Instant updatedAt) {

    /** Capabilities that reach out to their targets: active unless a policy says otherwise. */
    static final List<String> DEFAULT_ACTIVE = List.of("dast", "infra", "network", "fuzzing");

    /** {@code scanflow.scope.without-policy}: a tenant without a policy has every target in scope... */
    static final String ALLOW_WITHOUT_POLICY = "allow";
    /** ...or every active step refused. */
    static final String DENY_ACTIVE_WITHOUT_POLICY = "deny-active";

    ScanPolicy {
        allowed = List.copyOf(allowed);
        excluded = List.copyOf(excluded);
        blackouts = List.copyOf(blackouts);
        activeCapabilities = List.copyOf(activeCapabilities);
        targetBudgets = List.copyOf(targetBudgets);
    }

    /** The step is active under this policy (or, without one, under the default capabilities). */
    static boolean active(ScanPolicy policy, List<String> capabilities) {
        List<String> active = policy == null ? DEFAULT_ACTIVE : policy.activeCapabilities();
        return capabilities.stream().anyMatch(active::contains);
    }

    /** Some rule compares addresses, so host names must be resolved to check them. */
    boolean hasRanges() {
        return allowed.stream().anyMatch(r -> r.kind == TargetRule.Kind.RANGE)
                || excluded.stream().anyMatch(r -> r.kind == TargetRule.Kind.RANGE);
    }

    /** Whether the setting refuses active steps of tenants without a policy; a setting it does not know stops the start. */
    static boolean denyWithoutPolicy(String setting) {
        if (!ALLOW_WITHOUT_POLICY.equals(setting) && !DENY_ACTIVE_WITHOUT_POLICY.equals(setting)) {
            throw new IllegalArgumentException("scanflow.scope.without-policy is '" + setting + "': use "
                    + ALLOW_WITHOUT_POLICY + " or " + DENY_ACTIVE_WITHOUT_POLICY);
        }
        return DENY_ACTIVE_WITHOUT_POLICY.equals(setting);
    }
}
