package dev.scanflow.engine;

/**
 * A CDI event: runs ended, so runs a limit holds pending may start now. Fired after commit by
 * {@link AfterCommit}; observed by {@link RunAdmissions}.
 */
public record RunsEnded(int count) {
}
