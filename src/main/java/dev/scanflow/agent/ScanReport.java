package dev.scanflow.agent;

import dev.scanflow.protocol.Finding;
import java.util.List;
import java.util.Map;

/**
 * What a finished tool produced: the findings count, a count per severity, free output for
 * later steps, and the findings themselves as records (as many as the count).
 */
public record ScanReport(int findingsCount, Map<String, Integer> findingsBySeverity, Map<String, Object> output,
        List<Finding> findings) {

    public ScanReport {
        findings = findings == null ? List.of() : List.copyOf(findings);
    }

    /** A report without records (a format that only counts). */
    public ScanReport(int findingsCount, Map<String, Integer> findingsBySeverity, Map<String, Object> output) {
        this(findingsCount, findingsBySeverity, output, List.of());
    }
}
