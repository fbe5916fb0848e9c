package dev.scanflow.domain;

import java.util.UUID;

/**
 * A tenant's share of shared workers and its run limit (docs/adr/0012-fair-admission.md), asked
 * by the engine when it orders waiting steps and when it starts runs: an implementation answers
 * from memory, at once.
 */
public interface TenantShares {

    /** False until the shares were read once: run limits are then unknown, and runs wait (fail closed). */
    boolean loaded();

    /** The tenant's weight in the fair share of shared workers (1 when none was set). */
    int weight(UUID tenant);

    /** The most runs the tenant may have running at once; null for no limit. */
    Integer maxConcurrentRuns(UUID tenant);
}
