package dev.scanflow.domain;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The states of a pipeline run and their legal transitions. */
public enum RunStatus {
    PENDING(false),
    RUNNING(false),
    COMPLETED(true),
    FAILED(true),
    CANCELLED(true),
    TIMEOUT(true);

    private static final Map<RunStatus, Set<RunStatus>> EDGES = Map.of(
            PENDING, EnumSet.of(RUNNING, CANCELLED),
            RUNNING, EnumSet.of(COMPLETED, FAILED, CANCELLED, TIMEOUT),
            FAILED, EnumSet.of(RUNNING),       // manual retry
            CANCELLED, EnumSet.of(RUNNING),
            TIMEOUT, EnumSet.of(RUNNING),
            COMPLETED, EnumSet.noneOf(RunStatus.class));

    private final boolean terminal;

    RunStatus(boolean terminal) {
        this.terminal = terminal;
    }

    public boolean terminal() {
        return terminal;
    }

    /** A run that ended without success may be started again (the runs API's retry): from the table above. */
    public boolean retriable() {
        return terminal && canTransitionTo(RUNNING);
    }

    public boolean canTransitionTo(RunStatus next) {
        return EDGES.get(this).contains(next);
    }

    public void checkTransition(RunStatus next) {
        if (!canTransitionTo(next)) {
            throw new IllegalTransitionException("run", this, next);
        }
    }

    public String wire() {
        return name().toLowerCase();
    }

    public static RunStatus fromWire(String s) {
        return valueOf(s.toUpperCase());
    }
}
