package dev.scanflow.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What a start of runs writes, as a value the engine writes in one transaction (ADR 0008): first
 * the {@code guards} (the caller's locks and checks that what it planned on still holds), then
 * the {@code expected} active runs are checked (no run may have started on those assets since), the runs to {@code cancel} cancelled, the new
 * {@code runs} created and started, and the {@code records} (outcomes, a fire row, a delivery
 * log) written. A guard that finds no row, or an active run not expected, writes nothing:
 * the caller reads again and plans again. Triggers, the fire endpoint and manual runs start
 * runs only this way; none of them holds the engine's connection.
 */
public record RunStartPlan(List<PlannedWrite> guards, List<ActiveRuns> expected, List<UUID> cancel, List<NewRun> runs,
        List<PlannedWrite> records) {

    public RunStartPlan {
        guards = List.copyOf(guards);
        expected = List.copyOf(expected);
        cancel = List.copyOf(cancel);
        runs = List.copyOf(runs);
        records = List.copyOf(records);
    }

    /** The active runs of a pipeline on these assets when the caller planned: the overlap rules decided on them. */
    public record ActiveRuns(UUID pipelineId, List<UUID> assetIds, Set<UUID> runIds) {
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<UUID> runIds() {
        return runs.stream().map(r -> r.state().id).toList();
    }

    /** Collects a plan while a caller decides. */
    public static final class Builder {
        private final List<PlannedWrite> guards = new ArrayList<>();
        private final List<ActiveRuns> expected = new ArrayList<>();
        private final List<UUID> cancel = new ArrayList<>();
        private final List<NewRun> runs = new ArrayList<>();
        private final List<PlannedWrite> records = new ArrayList<>();

        public Builder guard(PlannedWrite guard) {
            guards.add(guard);
            return this;
        }

        public Builder expect(ActiveRuns active) {
            expected.add(active);
            return this;
        }

        public Builder cancel(UUID runId) {
            cancel.add(runId);
            return this;
        }

        public Builder start(NewRun run) {
            runs.add(run);
            return this;
        }

        public Builder record(PlannedWrite write) {
            records.add(write);
            return this;
        }

        public Builder records(Collection<PlannedWrite> writes) {
            records.addAll(writes);
            return this;
        }

        public List<NewRun> runs() {
            return runs;
        }

        public RunStartPlan build() {
            return new RunStartPlan(guards, expected, cancel, runs, records);
        }
    }
}
