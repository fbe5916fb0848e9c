package dev.scanflow.engine;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * When the sweeper must look at a step next ({@code step_runs.due_at}): its timeout while it
 * runs, the ack timeout while its command is unacknowledged, its retry time, or the queue
 * timeout while it waits for a worker. Null when no clock applies.
 */
@ApplicationScoped
public class DueTimes {

    private final ScanflowConfig config;

    public DueTimes(ScanflowConfig config) {
        this.config = config;
    }

    Instant dueAt(StepState s, Instant now) {
        var engine = config.engine();
        if (s.status == StepStatus.RUNNING) {
            return s.startedAt == null ? now : s.startedAt.plusSeconds(s.timeoutSeconds);
        }
        if (s.status == StepStatus.QUEUED) {
            if (s.commandId != null) {
                return s.dispatchedAt.plus(engine.ackTimeout());
            }
            if (s.nextAttemptAt != null && s.nextAttemptAt.isAfter(now)) {
                return s.nextAttemptAt;
            }
            Instant since = s.nextAttemptAt != null && s.nextAttemptAt.isAfter(s.queuedAt) ? s.nextAttemptAt : s.queuedAt;
            return since.plus(engine.queueTimeout());
        }
        return null;
    }
}
