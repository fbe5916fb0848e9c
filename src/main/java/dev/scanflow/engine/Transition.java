package dev.scanflow.engine;

import dev.scanflow.domain.Decision;
import dev.scanflow.domain.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/** One run's inputs in a {@link RunTransactions} transaction: the rules applied in order, and what each decided. */
final class Transition {

    final LoadedRun loaded;
    final List<BiFunction<RunState, Instant, Decision>> rules = new ArrayList<>();
    final List<Decision> decisions = new ArrayList<>();
    /** The waiting steps a dispatch pass planned for this run (only they may take a worker); null: not a pass. */
    Set<UUID> dispatchOnly;

    Transition(LoadedRun loaded) {
        this.loaded = loaded;
    }

    Transition rule(BiFunction<RunState, Instant, Decision> rule) {
        rules.add(rule);
        return this;
    }

    Transition dispatchOnly(Set<UUID> steps) {
        this.dispatchOnly = steps;
        return this;
    }

    /** The decisions that were applied (not ignored). */
    Stream<Decision> applied() {
        return decisions.stream().filter(d -> d.ignored() == null);
    }
}
