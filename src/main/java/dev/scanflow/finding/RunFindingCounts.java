package dev.scanflow.finding;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/**
 * What a run changed in its asset's findings: new (new or reopened), fixed and unchanged, with
 * new and fixed by severity; suppressed findings are counted apart and in none of the others.
 */
@RegisterForReflection
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunFindingCounts(int newFindingsCount, int fixedFindingsCount, int unchangedFindingsCount,
        int reopenedFindingsCount, int suppressedFindingsCount, Map<String, Integer> newFindingsBySeverity,
        Map<String, Integer> fixedFindingsBySeverity) {

    /** "3 new (1 critical), 12 fixed, 280 unchanged" (and ", 2 suppressed" when there are). */
    public String sentence() {
        StringBuilder s = new StringBuilder().append(newFindingsCount).append(" new");
        String worst = worst(newFindingsBySeverity);
        if (worst != null) {
            s.append(" (").append(worst).append(')');
        }
        s.append(", ").append(fixedFindingsCount).append(" fixed, ").append(unchangedFindingsCount).append(" unchanged");
        if (suppressedFindingsCount > 0) {
            s.append(", ").append(suppressedFindingsCount).append(" suppressed");
        }
        return s.toString();
    }

    /** "1 critical" or "2 critical, 1 high": the two most severe levels present. */
    private static String worst(Map<String, Integer> bySeverity) {
        StringBuilder s = new StringBuilder();
        int shown = 0;
        for (String level : dev.scanflow.protocol.Finding.SEVERITIES) {
            int n = bySeverity.getOrDefault(level, 0);
            if (n > 0 && shown < 2 && !"unknown".equals(level) && !"info".equals(level)) {
                s.append(shown == 0 ? "" : ", ").append(n).append(' ').append(level);
                shown++;
            }
        }
        return shown == 0 ? null : s.toString();
    }
}
