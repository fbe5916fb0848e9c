package dev.scanflow.condition;

/** A condition that does not compile, or fails while it is evaluated. The message is for users. */
public class ConditionException extends Exception {

    public ConditionException(String message) {
        super(message);
    }

    public ConditionException(String message, Throwable cause) {
        super(message, cause);
    }
}
