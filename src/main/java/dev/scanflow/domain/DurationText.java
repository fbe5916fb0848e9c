package dev.scanflow.domain;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration notation of pipeline templates: {@code 90s}, {@code 30m}, {@code 2h}, {@code 1d},
 * or combinations in descending order such as {@code 1h30m}. Formatting gives the shortest
 * equivalent text, so a value read back equals what was sent after normalization.
 */
public final class DurationText {

    private static final Pattern FORMAT =
            Pattern.compile("^(?:(\\d{1,4})d)?(?:(\\d{1,5})h)?(?:(\\d{1,6})m)?(?:(\\d{1,7})s)?$");

    private DurationText() {
    }

    /** Seconds, or empty when the text is not a duration. */
    public static Optional<Long> parseSeconds(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String trimmed = text.trim();
        Matcher m = FORMAT.matcher(trimmed);
        if (trimmed.isEmpty() || !m.matches()) {
            return Optional.empty();
        }
        long seconds = part(m.group(1)) * 86_400 + part(m.group(2)) * 3_600 + part(m.group(3)) * 60 + part(m.group(4));
        return Optional.of(seconds);
    }

    public static String format(long seconds) {
        if (seconds <= 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long rest = seconds;
        long days = rest / 86_400;
        rest %= 86_400;
        long hours = rest / 3_600;
        rest %= 3_600;
        long minutes = rest / 60;
        long secs = rest % 60;
        if (days > 0) {
            out.append(days).append('d');
        }
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (minutes > 0) {
            out.append(minutes).append('m');
        }
        if (secs > 0) {
            out.append(secs).append('s');
        }
        return out.toString();
    }

    private static long part(String group) {
        return group == null ? 0 : Long.parseLong(group);
    }
}
