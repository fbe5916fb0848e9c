package dev.scanflow.agent;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Counting findings per severity, in the order critical, high, medium, low, info. */
final class Severities {

    static final String[] ORDER = {"critical", "high", "medium", "low", "info"};

    private final Map<String, Integer> counts = new LinkedHashMap<>();

    void add(String severity) {
        counts.merge(severity, 1, Integer::sum);
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
     * A tool's severity word in Scanflow's scale: critical, high, medium, low, info
     * (moderate is medium; negligible, unknown and anything else are info).
     */
    static String normalize(String severity) {
        String s = severity == null ? "" : severity.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "critical", "high", "medium", "low" -> s;
            case "moderate" -> "medium";
            default -> "info";
        };
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
