package dev.scanflow.agent;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Counting findings per severity, in the order critical, high, medium, low, info. A finding's own
 * severity may also be {@code unknown} (the tool rated it so, or not at all); it counts as info,
 * as it always has.
 */
final class Severities {

    static final String[] ORDER = {"critical", "high", "medium", "low", "info"};
    static final String UNKNOWN = "unknown";

    private final Map<String, Integer> counts = new LinkedHashMap<>();

    void add(String severity) {
        counts.merge(UNKNOWN.equals(severity) ? "info" : severity, 1, Integer::sum);
    }

    Map<String, Integer> counts() {
        Map<String, Integer> ordered = new LinkedHashMap<>();
        for (String s : ORDER) {
            if (counts.containsKey(s)) {
                ordered.put(s, counts.get(s));
            }
        }
        return ordered;
    }

    /**
     * A tool's severity word in Scanflow's scale: critical, high, medium, low, info, unknown
     * (moderate is medium; none, negligible and any other word are info; no word or "unknown" is
     * unknown).
     */
    static String normalize(String severity) {
        String s = severity == null ? "" : severity.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "critical", "high", "medium", "low" -> s;
            case "moderate" -> "medium";
            case "", UNKNOWN -> UNKNOWN;
            default -> "info";
        };
    }

    /** Where a severity ranks: 0 for critical up to 5 for unknown. */
    static int rank(String severity) {
        for (int i = 0; i < ORDER.length; i++) {
            if (ORDER[i].equals(severity)) {
                return i;
            }
        }
        return ORDER.length;
    }

    /** A CVSS-like score as SARIF's security-severity gives it. */
    static String fromScore(double score) {
        if (score >= 9.0) {
            return "critical";
        }
        if (score >= 7.0) {
            return "high";
        }
        if (score >= 4.0) {
            return "medium";
        }
        return score > 0 ? "low" : "info";
    }
}
