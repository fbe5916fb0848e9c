package dev.scanflow.engine;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether some step of this replica recently found no worker: freed capacity asks for a
 * dispatch pass only then (other replicas' waiting steps are covered by every sweep). Set when
 * an assignment leaves a step without a worker, cleared by a pass that finds nothing waiting.
 */
@ApplicationScoped
public class WaitingSteps {

    private final AtomicBoolean some = new AtomicBoolean(true);

    void found() {
        some.set(true);
    }

    void none() {
        some.set(false);
    }

    boolean some() {
        return some.get();
    }
}
