package dev.scanflow.engine;

import java.util.List;
import java.util.UUID;

/**
 * What a caller contributes to a run-creating transaction ({@link RunEngine#launch}): the runs
 * to create and start, runs to cancel first (a trigger's overlap rule "replace"), and the
 * caller's own answer, returned once everything is committed.
 */
public record Launch<T>(List<NewRun> runs, List<UUID> cancel, T result) {

    public static <T> Launch<T> of(List<NewRun> runs, T result) {
        return new Launch<>(runs, List.of(), result);
    }

    public static <T> Launch<T> nothing(T result) {
        return new Launch<>(List.of(), List.of(), result);
    }
}
