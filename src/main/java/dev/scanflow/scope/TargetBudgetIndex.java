package dev.scanflow.scope;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.TargetBudget;
import dev.scanflow.domain.TargetBudgets;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The budget of the target a step reaches ({@link TargetBudgets}; docs/api.md, "Target
 * budgets"), asked by the engine for each step it is about to give to a worker: synchronous and
 * from memory. The target is the step's asset's ({@link TargetKeys#ofAsset}); its budget the one
 * the step's tenant declares for it ({@link PolicyCache#budgets}, indexed when the policies
 * change; the engine counts every tenant's steps on the target against it); when it declares none, an active step (its tenant's {@code active_capabilities}, the default
 * ones without a policy) gets {@code scanflow.budgets.active-steps} and
 * {@code scanflow.budgets.requests-per-second}, and a passive step none.
 */
@ApplicationScoped
@Startup // its settings are checked at start-up: a typo stops the start, not the first dispatch
public class TargetBudgetIndex implements TargetBudgets {

    private final PolicyCache policies;
    private final int defaultSteps;
    private final Integer defaultRate;

    @Inject
    public TargetBudgetIndex(PolicyCache policies, ScanflowConfig config) {
        this(policies, config.budgets().activeSteps(), config.budgets().requestsPerSecond());
    }

    TargetBudgetIndex(PolicyCache policies, int defaultSteps, OptionalInt defaultRate) {
        if (defaultSteps < 1 || defaultSteps > ScanPolicyReader.MAX_ACTIVE_STEPS) {
            throw new IllegalArgumentException("scanflow.budgets.active-steps is " + defaultSteps + ": use 1 to "
                    + ScanPolicyReader.MAX_ACTIVE_STEPS);
        }
        if (defaultRate.isPresent()
                && (defaultRate.getAsInt() < 1 || defaultRate.getAsInt() > ScanPolicyReader.MAX_REQUESTS_PER_SECOND)) {
            throw new IllegalArgumentException("scanflow.budgets.requests-per-second is " + defaultRate.getAsInt()
                    + ": use 1 to " + ScanPolicyReader.MAX_REQUESTS_PER_SECOND + ", or set it empty for no rate");
        }
        this.policies = policies;
        this.defaultSteps = defaultSteps;
        this.defaultRate = defaultRate.isPresent() ? defaultRate.getAsInt() : null;
    }

    @Override
    public String keyOf(Map<String, Object> asset) {
        return TargetKeys.ofAsset(asset);
    }

    @Override
    public TargetBudget of(RunState run, StepState step) {
        String key = TargetKeys.ofAsset(run.asset);
        if (key == null) {
            return null;
        }
        TargetBudget declared = policies.budgets().of(run.tenantId, key);
        if (declared != null) {
            return declared;
        }
        return ScanPolicy.active(policies.of(run.tenantId), step.capabilities)
                ? new TargetBudget(key, defaultSteps, defaultRate)
                : null;
    }
}
