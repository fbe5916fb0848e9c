package dev.scanflow.scope;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.ScopeCheck;
import dev.scanflow.domain.StepState;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The scope check the engine's decider asks ({@link ScopeCheck}; docs/adr/0010-scope-guard.md):
 * synchronous and from memory, as it runs inside the deciding transaction on the event loop.
 * Only active steps are checked (a capability among the policy's {@code active_capabilities},
 * or the default ones when the tenant has none). Without a policy: allowed, or refused when the
 * deployment says {@code scanflow.scope.without-policy=deny-active}. With one: the targets
 * ({@link ScanTargets}) against its rules ({@link PolicyCheck}), with the addresses
 * {@link HostAddresses} knows; a name not resolved yet holds the step for a second while it is
 * resolved; then the blackout windows. Policies not loaded yet hold every step (fail closed).
 */
@ApplicationScoped
@Startup // its settings are checked at start-up: a typo stops the start, not the first dispatch
public class ScopeGuard implements ScopeCheck {

    /** How soon a step held for something that takes no time (a load, a lookup) is checked again. */
    static final Duration RECHECK = Duration.ofSeconds(1);

    private final PolicyCache policies;
    private final HostAddresses hosts;
    private final boolean denyWithoutPolicy;

    @Inject
    public ScopeGuard(PolicyCache policies, HostAddresses hosts, ScanflowConfig config) {
        this(policies, hosts, ScanPolicy.denyWithoutPolicy(config.scope().withoutPolicy()));
    }

    ScopeGuard(PolicyCache policies, HostAddresses hosts, boolean denyWithoutPolicy) {
        this.policies = policies;
        this.hosts = hosts;
        this.denyWithoutPolicy = denyWithoutPolicy;
    }

    @Override
    public Verdict check(RunState run, StepState step, Instant now) {
        if (!policies.loaded()) {
            return Verdict.waitUntil("the scan policies are being loaded", now.plus(RECHECK));
        }
        ScanPolicy policy = policies.of(run.tenantId);
        if (policy == null && !denyWithoutPolicy) {
            return Verdict.ALLOW;
        }
        List<String> active = policy == null ? ScanPolicy.DEFAULT_ACTIVE : policy.activeCapabilities();
        if (step.capabilities.stream().noneMatch(active::contains)) {
            return Verdict.ALLOW;
        }
        if (policy == null) {
            return Verdict.block(PolicyCheck.NO_POLICY, "the tenant has no scan policy, and this deployment refuses "
                    + "active steps without one (scanflow.scope.without-policy=" + ScanPolicy.DENY_ACTIVE_WITHOUT_POLICY + ")");
        }
        PolicyCheck.Result result = PolicyCheck.check(policy, ScanTargets.of(run.asset, step.config), hosts::known);
        if (result.blocked() != null) {
            return result.blocked();
        }
        if (!result.resolving().isEmpty()) {
            result.resolving().forEach(hosts::resolve);
            return Verdict.waitUntil("resolving " + String.join(", ", result.resolving()), now.plus(RECHECK));
        }
        Verdict blackout = PolicyCheck.blackout(policy, now);
        return blackout != null ? blackout : Verdict.ALLOW;
    }

    /** The names a check of the step would need resolved (none without a policy or for a passive step). */
    List<String> namesToResolve(RunState run, StepState step) {
        ScanPolicy policy = policies.of(run.tenantId);
        if (policy == null || step.capabilities.stream().noneMatch(policy.activeCapabilities()::contains)) {
            return List.of();
        }
        return PolicyCheck.namesToResolve(policy, ScanTargets.of(run.asset, step.config));
    }
}
