package dev.scanflow.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * When a worker that could run a step (by tenant, capabilities) was last seen: now for an online
 * one, its last heartbeat for one gone offline. The decider's NO_WORKER timeout counts from it,
 * so a step waiting its turn behind busy workers never times out, while one no worker can run
 * does. Answered from memory; null when none is known.
 */
@FunctionalInterface
public interface WorkerSightings {

    /** Nothing known: the queue timeout counts from when the step was queued. */
    WorkerSightings NONE = (tenant, step) -> null;

    Instant lastSeen(UUID tenant, StepState step);
}
