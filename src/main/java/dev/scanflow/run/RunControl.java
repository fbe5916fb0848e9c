package dev.scanflow.run;

import dev.scanflow.engine.RunLimitReached;
import dev.scanflow.common.ApiException;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.RunStatus;
import dev.scanflow.engine.RunEngine;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** Cancel and retry, as the runs API allows them: only the tenant's own runs, only from the right states. */
@ApplicationScoped
public class RunControl {

    private final RunEngine engine;

    public RunControl(RunEngine engine) {
        this.engine = engine;
    }

    public Uni<Void> cancel(UUID tenant, UUID runId) {
        return engine.cancel(runId, run -> {
            requireTenant(run, tenant, runId);
            if (run.status.terminal() && run.status != RunStatus.CANCELLED) {
                throw ApiException.conflict("run " + runId + " already ended " + run.status.wire());
            }
        }).map(d -> found(d, runId));
    }

    public Uni<Void> retry(UUID tenant, UUID runId) {
        return engine.retry(runId, run -> {
            requireTenant(run, tenant, runId);
            if (!run.status.retriable()) {
                throw ApiException.conflict("only failed, cancelled or timed-out runs can be retried; run " + runId
                        + " is " + run.status.wire());
            }
        }).onFailure(RunLimitReached.class)
                .transform(e -> ApiException.conflict("run " + runId + " cannot start again now: " + e.getMessage()))
                .map(d -> found(d, runId));
    }

    private static Void found(Object decision, UUID runId) {
        if (decision == null) {
            throw RunQueries.notFound(runId);
        }
        return null;
    }

    private static void requireTenant(RunState run, UUID tenant, UUID runId) {
        if (!run.tenantId.equals(tenant)) {
            throw RunQueries.notFound(runId);
        }
    }
}
