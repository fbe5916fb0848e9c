package dev.scanflow.engine;

import dev.scanflow.domain.Decision;
import dev.scanflow.domain.StepStatus;
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
    private final Event<RunsEnded> runsEnded;
    private final FleetSightings sightings;

    public AfterCommit(OutboxRelay relay, WaitingSteps waiting, Event<CapacityFreed> capacityFreed,
            Event<RunsEnded> runsEnded, FleetSightings sightings) {
        this.sightings = sightings;
        this.relay = relay;
        this.waiting = waiting;
        this.capacityFreed = capacityFreed;
        this.runsEnded = runsEnded;
    }

    /** Whether a transaction left steps in line (queued behind others, for the next pass). */
    private static boolean inLine(List<Transition> transitions) {
        for (Transition t : transitions) {
            for (var s : t.loaded.state().steps()) {
                if (s.commandId == null && WaitReasons.IN_LINE.equals(s.waitReason) && s.status == StepStatus.QUEUED) {
                    return true;
                }
            }
        }
        return false;
    }

    void run(List<Transition> transitions, List<OutboxMessage> outgoing) {
        relay.publish(outgoing);
        boolean freed = false;
        int ended = 0;
        for (Transition t : transitions) {
            if (t.loaded.state().status.terminal() && t.applied().findAny().isPresent()) {
                ended++;
            }
            for (Decision decision : t.applied().toList()) {
                for (Decision.Event e : decision.events) {
                    EngineLog.event(t.loaded.state(), e);
                }
                freed |= !decision.releasedWorkers.isEmpty();
            }
        }
        // steps left in line ask for a pass only when the last pass saw a free slot somewhere
        if (waiting.some() && (freed || sightings.anyFree() && inLine(transitions))) {
            capacityFreed.fire(new CapacityFreed(freed ? "slots freed" : "steps in line"));
        }
        if (ended > 0) {
            runsEnded.fire(new RunsEnded(ended));
        }
    }
}
