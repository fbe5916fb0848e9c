package dev.scanflow.engine;

import dev.scanflow.domain.Decision;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.util.List;

/**
 * What follows the commit of a {@link RunTransactions} transaction: the commands and events it
 * wrote are published ({@link OutboxRelay}), its state changes logged, and a dispatch pass asked
 * for ({@link CapacityFreed}) when it freed slots while steps of this replica wait for a worker.
 */
@ApplicationScoped
public class AfterCommit {

    private final OutboxRelay relay;
    private final WaitingSteps waiting;
    private final Event<CapacityFreed> capacityFreed;

    public AfterCommit(OutboxRelay relay, WaitingSteps waiting, Event<CapacityFreed> capacityFreed) {
        this.relay = relay;
        this.waiting = waiting;
        this.capacityFreed = capacityFreed;
    }

    void run(List<Transition> transitions, List<OutboxMessage> outgoing) {
        relay.publish(outgoing);
        boolean freed = false;
        for (Transition t : transitions) {
            for (Decision decision : t.applied().toList()) {
                for (Decision.Event e : decision.events) {
                    EngineLog.event(t.loaded.state(), e);
                }
                freed |= !decision.releasedWorkers.isEmpty();
            }
        }
        if (freed && waiting.some()) {
            capacityFreed.fire(new CapacityFreed("slots freed"));
        }
    }
}
