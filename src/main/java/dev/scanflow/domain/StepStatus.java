package dev.scanflow.domain;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The states of a step run and every legal transition between them, in one table. Anything
 * not listed here is refused by {@link #checkTransition}.
 */
public enum StepStatus {
    PENDING(false),
    QUEUED(false),
    RUNNING(false),
    COMPLETED(true),
    FAILED(true),
    SKIPPED(true),
    CANCELLED(true),
    TIMEOUT(true);

    private static final Map<StepStatus, Set<StepStatus>> EDGES = Map.of(
            PENDING, EnumSet.of(QUEUED, SKIPPED, CANCELLED, FAILED),      // FAILED: condition error
            QUEUED, EnumSet.of(RUNNING, CANCELLED, TIMEOUT, FAILED, SKIPPED), // TIMEOUT: no worker; FAILED: worker lost; SKIPPED: out of scope at dispatch
            RUNNING, EnumSet.of(COMPLETED, FAILED, TIMEOUT, CANCELLED, QUEUED), // QUEUED: re-dispatch after a lost worker
            FAILED, EnumSet.of(QUEUED, PENDING),                          // automatic retry; manual retry
            TIMEOUT, EnumSet.of(QUEUED, PENDING),
            CANCELLED, EnumSet.of(PENDING),                                // manual retry
            SKIPPED, EnumSet.of(PENDING),                                  // manual retry (dependency skips only)
            COMPLETED, EnumSet.noneOf(StepStatus.class));

    private final boolean terminal;

    StepStatus(boolean terminal) {
        this.terminal = terminal;
    }

    public boolean terminal() {
        return terminal;
    }

    /** A terminal state that blocks the steps depending on it. */
    public boolean unsuccessful() {
        return this == FAILED || this == TIMEOUT || this == CANCELLED;
    }

    /** Holds one of the run's parallel slots. */
    public boolean active() {
        return this == QUEUED || this == RUNNING;
    }

    public boolean canTransitionTo(StepStatus next) {
        return EDGES.get(this).contains(next);
    }

    public void checkTransition(StepStatus next) {
        if (!canTransitionTo(next)) {
            throw new IllegalTransitionException("step", this, next);
        }
    }

    public String wire() {
        return name().toLowerCase();
    }

    public static StepStatus fromWire(String s) {
        return valueOf(s.toUpperCase());
    }
}
