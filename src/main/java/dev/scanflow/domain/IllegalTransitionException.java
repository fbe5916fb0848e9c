package dev.scanflow.domain;

/** A state change the state machine does not allow: a bug or a stale message, never applied. */
public class IllegalTransitionException extends IllegalStateException {

    public IllegalTransitionException(String what, Enum<?> from, Enum<?> to) {
        super("illegal " + what + " transition " + from.name().toLowerCase() + " -> " + to.name().toLowerCase());
    }
}
