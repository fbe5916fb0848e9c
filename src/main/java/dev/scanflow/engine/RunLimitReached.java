package dev.scanflow.engine;

/**
 * A retry that would take a run past its tenant's or pipeline's run limit: nothing was written;
 * the message says which limit (as a held run's {@code wait_reason} does).
 */
public class RunLimitReached extends IllegalStateException {

    public RunLimitReached(String reason) {
        super(reason);
    }
}
