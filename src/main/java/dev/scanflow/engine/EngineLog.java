package dev.scanflow.engine;

import dev.scanflow.domain.Decision;
import dev.scanflow.domain.RunState;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * The engine's log lines, one per state change, with {@code run_id}, {@code tenant_id} and
 * {@code step_id} in the MDC, so JSON logs can be filtered by run, tenant or step. Run changes
 * log at INFO, step changes at DEBUG (a busy engine makes thousands per second).
 */
final class EngineLog {

    private static final Logger LOG = Logger.getLogger("dev.scanflow.engine");

    private EngineLog() {
    }

    static void event(RunState run, Decision.Event e) {
        boolean runEvent = e.stepKey() == null;
        if (runEvent ? !LOG.isInfoEnabled() : !LOG.isDebugEnabled()) {
            return;
        }
        MDC.put("run_id", run.id.toString());
        MDC.put("tenant_id", run.tenantId.toString());
        if (!runEvent) {
            MDC.put("step_id", e.stepKey());
        }
        try {
            if (runEvent) {
                LOG.infof("%s run=%s %s", e.type(), run.id, e.data());
            } else {
                LOG.debugf("%s run=%s step=%s %s", e.type(), run.id, e.stepKey(), e.data());
            }
        } finally {
            MDC.remove("run_id");
            MDC.remove("tenant_id");
            MDC.remove("step_id");
        }
    }
}
