package dev.scanflow.engine;

import dev.scanflow.domain.RunState;
import dev.scanflow.domain.WorkerMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What one {@link RunTransactions} transaction writes, gathered phase by phase: deciding gives
 * the runs that changed, the slots they free, the workers they bench and the cancel commands;
 * assigning adds the scan commands; writing adds the events. After the writes, the commands and
 * events are what goes out once committed.
 */
final class WriteSet {

    /** The transitions with at least one applied decision, in their order. */
    final List<Transition> changed = new ArrayList<>();
    /** The steps whose worker slots are freed... */
    final List<UUID> released = new ArrayList<>();
    /** ...and the workers whose slots they were, in the same order. */
    final List<String> releasedFrom = new ArrayList<>();
    /** Workers benched here for letting a command's ack timeout pass. */
    final List<String> unacknowledged = new ArrayList<>();
    /** Cancel commands first, then the scan commands of the steps that got a worker. */
    final List<CommandFactory.CommandRow> commands = new ArrayList<>();
    final List<EventFactory.EventRow> events = new ArrayList<>();

    boolean isEmpty() {
        return changed.isEmpty();
    }

    List<LoadedRun> runs() {
        return changed.stream().map(t -> t.loaded).toList();
    }

    List<RunState> states() {
        return changed.stream().map(t -> t.loaded.state()).toList();
    }

    /** One entry per slot freed, by worker id (a worker may appear several times). */
    List<String> freedSlotsOf() {
        return changed.stream().flatMap(Transition::applied).flatMap(d -> d.releasedWorkers.stream()).toList();
    }

    /** Workers benched in this very transaction take none of its steps. */
    List<WorkerMatcher.Candidate> notBenched(List<WorkerMatcher.Candidate> candidates) {
        return unacknowledged.isEmpty() ? candidates
                : candidates.stream().filter(c -> !unacknowledged.contains(c.id())).toList();
    }

    /** The commands, then the events, as the relay publishes them. */
    List<OutboxMessage> outgoing() {
        List<OutboxMessage> out = new ArrayList<>(commands.size() + events.size());
        commands.forEach(c -> out.add(new OutboxMessage(OutboxMessage.Kind.COMMAND, c.id(), c.subject(), c.payload())));
        events.forEach(e -> out.add(new OutboxMessage(OutboxMessage.Kind.EVENT, e.id(), e.subject(), e.payload())));
        return out;
    }
}
