package dev.scanflow.finding;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which open findings a completed step can fix: those of its tool (the one that ran, a
 * substitute included) and of a kind that tool's scan covers. A kind is covered when the tool's
 * scans always look for it (the table) or when this very command reported findings of it. A
 * tool missing from the table covers only what it reported: when unsure, a finding stays open.
 */
public final class ScanCoverage {

    /** The kinds each tool's scan looks for whatever its configuration. */
    static final Map<String, Set<String>> KINDS = Map.ofEntries(
            Map.entry("semgrep", Set.of("code")),
            Map.entry("eslint", Set.of("code")),
            Map.entry("gitleaks", Set.of("secret")),
            Map.entry("secretlint", Set.of("secret")),
            Map.entry("checkov", Set.of("config")),
            Map.entry("trivy", Set.of("dependency")),
            Map.entry("grype", Set.of("dependency")),
            Map.entry("nuclei", Set.of("web")),
            Map.entry("ffuf", Set.of("web")),
            Map.entry("nmap", Set.of("network")),
            Map.entry("testssl", Set.of("tls")));

    private ScanCoverage() {
    }

    /** The kinds a step's scan covered: its tool's, and those it reported. */
    public static List<String> kinds(String tool, Set<String> reported) {
        Set<String> out = new LinkedHashSet<>(KINDS.getOrDefault(tool == null ? "" : tool.toLowerCase(Locale.ROOT),
                Set.of()));
        out.addAll(reported);
        return List.copyOf(out);
    }
}
