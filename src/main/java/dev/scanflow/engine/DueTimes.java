package dev.scanflow.engine;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * When the sweeper must look at a step next ({@code step_runs.due_at}): its timeout while it
 * runs, the ack timeout while its command is unacknowledged, its retry time, or the queue
 * timeout while it waits for a worker, counted from when a worker that could run it was last
 * seen if that is later ({@link FleetSightings}: a step waiting its turn is looked at once per
 * queue timeout, not on every sweep). Null when no clock applies.
 */
@ApplicationScoped
public class DueTimes {

    private final ScanflowConfig config;
    private final FleetSightings sightings;

    public DueTimes(ScanflowConfig config, FleetSightings sightings) {
        this.config = config;
        this.sightings = sightings;
    }

    Instant dueAt(UUID tenant, StepState s, Instant now) {
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
            Instant seen = sightings.lastSeen(tenant, s);
            if (seen != null && seen.isAfter(since)) {
                since = seen;
            }
            return since.plus(engine.queueTimeout());
        }
        return null;
    }
}
