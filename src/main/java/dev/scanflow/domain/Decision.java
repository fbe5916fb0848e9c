package dev.scanflow.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the decider decided, beyond the state changes it made on the {@link RunState}: events to
 * emit, cancel commands to send, worker slots freed, and why an input was ignored.
 */
public final class Decision {

    /** An event to publish: type such as {@code pipeline.step.completed}, the step (or null), details. */
    public record Event(String type, String stepKey, Map<String, Object> data) {
    }

    /** Tell a worker to stop a command. */
    public record CancelOrder(String stepKey, UUID commandId, String workerId) {
    }

    public final List<Event> events = new ArrayList<>();
    public final List<CancelOrder> cancels = new ArrayList<>();
    /** One entry per slot freed (a worker id may appear several times). */
    public final List<String> releasedWorkers = new ArrayList<>();
    /** The steps whose worker slots were freed, in the order of {@link #releasedWorkers}. */
    public final List<UUID> releasedSteps = new ArrayList<>();
    /** Workers that let a command's ack timeout pass without a word (the shell benches them). */
    public final List<String> unacknowledged = new ArrayList<>();
    /** The kind of each scope refusal decided ({@link ScopeCheck.Verdict#kind}), for the metric. */
    public final List<String> scopeRefusals = new ArrayList<>();
    private String ignored;

    void ignore(String reason) {
        this.ignored = reason;
    }

    /** Why the input was not applied (duplicate, stale, spoofed, ...), or null when it was. */
    public String ignored() {
        return ignored;
    }

    public static Decision ignored(String reason) {
        Decision d = new Decision();
        d.ignore(reason);
        return d;
    }
}
