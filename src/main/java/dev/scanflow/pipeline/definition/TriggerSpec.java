package dev.scanflow.pipeline.definition;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * A trigger in its long form (the design document's "Scheduling" section): {@code manual};
 * {@code schedule} with a 5-field {@code cron}, a {@code timezone} and {@code targets};
 * {@code webhook} with the {@code events} that fire it; {@code asset_discovery}, optionally
 * limited to {@code asset_types}. The short forms ({@code schedule: "0 2 * * *"},
 * {@code webhook: push}, {@code on_asset_discovery}) are read into these.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record TriggerSpec(String type, String cron, String timezone, List<TargetSelector> targets,
        List<String> events, List<String> assetTypes) {

    public static final String MANUAL = "manual";
    public static final String SCHEDULE = "schedule";
    public static final String WEBHOOK = "webhook";
    public static final String ASSET_DISCOVERY = "asset_discovery";

    public static TriggerSpec manual() {
        return new TriggerSpec(MANUAL, null, null, null, null, null);
    }
}
