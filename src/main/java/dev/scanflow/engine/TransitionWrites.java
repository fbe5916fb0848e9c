package dev.scanflow.engine;

import dev.scanflow.config.ScanflowConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The write phase of a {@link RunTransactions} transaction, one round trip: the events of what
 * was decided are built, then every write goes out at once, pipelined in this order: steps and
 * runs, commands, events, workers benched, workers trusted again; with {@code commit} (the
 * caller began with a plain BEGIN) COMMIT right behind them. A statement that fails aborts the
 * transaction, and PostgreSQL then answers the pipelined COMMIT by rolling back.
 */
@ApplicationScoped
public class TransitionWrites {

    private final RunRows runs;
    private final WorkerSlots slots;
    private final EventFactory events;
    private final CommandOutbox commandOutbox;
    private final EventOutbox eventOutbox;
    private final DueTimes dueTimes;
    private final EngineMetrics metrics;
    private final ScanflowConfig config;

    public TransitionWrites(RunRows runs, WorkerSlots slots, EventFactory events, CommandOutbox commandOutbox,
            EventOutbox eventOutbox, DueTimes dueTimes, EngineMetrics metrics, ScanflowConfig config) {
        this.runs = runs;
        this.slots = slots;
        this.events = events;
        this.commandOutbox = commandOutbox;
        this.eventOutbox = eventOutbox;
        this.dueTimes = dueTimes;
        this.metrics = metrics;
        this.config = config;
    }

    /** Writes the set; {@code acknowledged}: workers that reported on a command they were given. */
    Uni<Void> write(SqlConnection tx, WriteSet set, List<String> acknowledged, boolean commit, Instant now) {
        for (Transition t : set.changed) {
            t.applied().forEach(d -> set.events.addAll(events.events(t.loaded, d, now)));
        }
        List<Uni<?>> writes = new ArrayList<>(List.of(runs.save(tx, set.states(), (run, s) -> dueTimes.dueAt(run.tenantId, s, now)),
                commandOutbox.insert(tx, set.commands), eventOutbox.insert(tx, set.events),
                slots.bench(tx, set.unacknowledged, config.workers().benchAfterAckTimeout(), config.workers().maxBench()),
                slots.unbench(tx, acknowledged)));
        metrics.workersBenched(set.unacknowledged.size());
        if (commit) {
            writes.add(tx.query("COMMIT").execute());
        }
        return Uni.combine().all().unis(writes).discardItems();
    }

    /** No run changed: only the workers that reported are trusted again (and, with {@code commit}, COMMIT). */
    Uni<Void> acknowledgedOnly(SqlConnection tx, List<String> acknowledged, boolean commit) {
        Uni<Void> unbench = slots.unbench(tx, acknowledged);
        return commit ? Uni.combine().all().unis(unbench, tx.query("COMMIT").execute()).discardItems() : unbench;
    }
}
