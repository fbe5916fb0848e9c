package dev.scanflow.common;

/**
 * The outcome of a declarative apply ({@code PUT ...:apply}): what was there decides whether the
 * body created something, changed it, or was already what is stored (then nothing is written).
 */
public record Applied<T>(T value, Outcome outcome) {

    public enum Outcome {
        CREATED, UPDATED, UNCHANGED;

        /** As the {@code Scanflow-Apply} response header says it. */
        public String header() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The response header that says which outcome an apply had. */
    public static final String HEADER = "Scanflow-Apply";
}
