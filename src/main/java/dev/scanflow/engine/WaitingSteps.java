package dev.scanflow.engine;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether steps wait in line for busy workers, as this replica last saw it: while they do, a
 * free slot goes by priority and fair share in a dispatch pass, and other transactions leave
 * their steps queued (the gate); freed capacity asks for a pass. Set when an assignment leaves a
 * step without a worker or a pass finds steps an online worker could run; cleared by a pass that
 * finds none (steps no online worker could run wait for no one's slot and keep the gate open).
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
