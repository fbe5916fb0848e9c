package dev.scanflow.agent;

import java.util.Map;

/** What a finished tool produced: the findings count, a count per severity, and free output for later steps. */
public record ScanReport(int findingsCount, Map<String, Integer> findingsBySeverity, Map<String, Object> output) {
}
