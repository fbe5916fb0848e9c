package dev.scanflow.pipeline.definition;

import dev.scanflow.common.TreeReader;
import dev.scanflow.domain.DurationText;

/** Checks shared by the template's readers: bounded text without control characters, durations. */
final class Texts {

    private Texts() {
    }

    static String required(String value, String at, int max, TreeReader reader) {
        if (value == null || value.isBlank()) {
            if (!reader.hasErrorsUnder(at)) {
                reader.error(at, "is required and must not be empty");
            }
            return value;
        }
        return optional(value, at, max, reader);
    }

    static String optional(String value, String at, int max, TreeReader reader) {
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        if (trimmed.length() > max) {
            reader.error(at, "must be at most " + max + " characters");
        }
        if (trimmed.chars().anyMatch(ch -> ch < 0x20 && ch != '\n' && ch != '\t')) {
            reader.error(at, "must not contain control characters");
        }
        return trimmed;
    }

    /** The duration as normalized text ({@code 90m} becomes {@code 1h30m}), within [min, max] seconds. */
    static String duration(String text, String at, long min, long max, TreeReader reader) {
        var seconds = DurationText.parseSeconds(text);
        if (seconds.isEmpty()) {
            reader.error(at, "'" + text + "' is not a duration (examples: 90s, 30m, 2h, 1h30m)");
            return text;
        }
        if (seconds.get() < min || seconds.get() > max) {
            reader.error(at, "must be between " + DurationText.format(min) + " and " + DurationText.format(max));
            return text;
        }
        return DurationText.format(seconds.get());
    }
}
