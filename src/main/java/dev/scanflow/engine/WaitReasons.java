package dev.scanflow.engine;

import dev.scanflow.domain.StepState;
import java.util.List;

/**
 * Why a queued step or a pending run waits, as the API shows it ({@code wait_reason}); each
 * starts with a fixed word (in line, budget, limit, no worker) that clients may match on.
 * The scope guard's blackout and resolving holds are written by the decider.
 */
final class WaitReasons {

    /** Its turn has not come: steps ahead of it by priority, age and the tenants' fair share go first. */
    static final String IN_LINE = "in line: every worker that can run it is busy; steps ahead of it (by priority, "
            + "then age, tenants by fair share) go first";

    private WaitReasons() {
    }

    static String budget(String target, int places) {
        return "budget: target " + target + " allows " + places + " active step" + (places == 1 ? "" : "s")
                + " at once, all taken";
    }

    static String noWorker(StepState step) {
        return "no worker: no online worker can run it (capabilities " + List.copyOf(step.capabilities) + ")";
    }

    /** How a run the tenant's limit holds says so. */
    static final String TENANT_LIMIT = "limit: the tenant has ";
    /** How a run its pipeline's limit holds says so. */
    static final String PIPELINE_LIMIT = "limit: the pipeline has ";
    /** New runs wait while the tenants' run limits are not loaded yet (fail closed). */
    static final String LIMITS_LOADING = "limit: the run limits are being loaded (this replica just started)";

    static String tenantLimit(int limit) {
        return TENANT_LIMIT + limit + " of " + limit + " runs running (max_concurrent_runs)";
    }

    static String pipelineLimit(int limit) {
        return PIPELINE_LIMIT + limit + " of " + limit + " runs running (settings.max_concurrent_runs)";
    }

    /** Sets the step's reason, marking it changed only when it did. */
    static void set(StepState step, String reason) {
        if (!reason.equals(step.waitReason)) {
            step.waitReason = reason;
            step.touch();
        }
    }
}
