package dev.scanflow.domain;

import java.time.Instant;

/**
 * Whether an active step may be given to a worker now (the tenant's scan policy: its targets,
 * exclusions and blackout windows; docs/adr/0010-scope-guard.md). {@link RunDecider} asks it for
 * every step it would queue and for every queued step before it goes to a worker, inside the
 * deciding transaction: an implementation answers from memory, at once, and never blocks.
 */
@FunctionalInterface
public interface ScopeCheck {

    Verdict check(RunState run, StepState step, Instant now);

    /**
     * ALLOW; BLOCK with the rule that refused the step ({@code rule}, as the skip reason shows
     * it) and its kind (a small fixed set, for metrics); or WAIT with why ({@code rule}) and until
     * when, after which the step is checked again.
     */
    record Verdict(Outcome outcome, String rule, String kind, Instant until) {

        public enum Outcome { ALLOW, BLOCK, WAIT }

        public static final Verdict ALLOW = new Verdict(Outcome.ALLOW, null, null, null);

        public static Verdict block(String kind, String rule) {
            return new Verdict(Outcome.BLOCK, rule, kind, null);
        }

        public static Verdict waitUntil(String reason, Instant until) {
            return new Verdict(Outcome.WAIT, reason, null, until);
        }
    }
}
