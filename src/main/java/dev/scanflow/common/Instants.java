package dev.scanflow.common;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Instants from query parameters: ISO-8601, within what PostgreSQL's timestamptz holds (years 1 to 9999 here). */
public final class Instants {

    public static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

    private Instants() {
    }

    /** Null for null or empty; a 400 naming the parameter for anything else that is not such an instant. */
    public static Instant parameter(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        Instant at;
        try {
            at = Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badParameter(name, "must be an ISO-8601 instant such as 2026-01-31T00:00:00Z");
        }
        if (at.isBefore(MIN) || at.isAfter(MAX)) {
            throw ApiException.badParameter(name, "must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
        }
        return at;
    }
}
