package dev.scanflow.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A normalized trigger: {@code manual}; {@code schedule} with a 5-field {@code cron}, a
 * {@code timezone} and optional asset {@code targets}; {@code webhook} with the {@code events}
 * that fire it; {@code asset_discovery}, optionally limited to {@code asset_types}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TriggerSpec(String type, String cron, String timezone, TargetsSpec targets, List<String> events,
        List<String> assetTypes) {

    public static TriggerSpec manual() {
        return new TriggerSpec("manual", null, null, null, null, null);
    }

    /** Which assets a scheduled run covers; every list present must match (AND), values within one list OR. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TargetsSpec(List<String> assetIds, List<String> assetTypes, List<String> tags,
            List<String> criticality) {
    }
}
