package dev.scanflow.pipeline.definition;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * A trigger in its long form (the design document's "Scheduling" section), with Scanflow's
 * additions: {@code manual}; {@code schedule} with a 5-field {@code cron}, a {@code timezone},
 * {@code targets}, what to do about missed fires ({@code catchup} within
 * {@code catchup_window}), about a run still active ({@code overlap}) and whether it starts
 * {@code paused} (system templates ship their schedules paused: a tenant resumes the ones it
 * wants, so nothing starts that nobody asked for); {@code webhook} with
 * the {@code events} that fire it and an optional CEL {@code filter} over the payload;
 * {@code asset_discovery}, optionally limited to {@code asset_types} or an {@code asset_filter}.
 * The short forms ({@code schedule: "0 2 * * *"}, {@code webhook: push},
 * {@code on_asset_discovery}) are read into these. {@code name} is optional and unique within a
 * template; the schedules API addresses a trigger by it (or by its position).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record TriggerSpec(String type, String name, String cron, String timezone, List<TargetSelector> targets,
        String catchup, String catchupWindow, String overlap, List<String> events, String filter,
        List<String> assetTypes, String assetFilter, Boolean paused) {

    public static final String MANUAL = "manual";
    public static final String SCHEDULE = "schedule";
    public static final String WEBHOOK = "webhook";
    public static final String ASSET_DISCOVERY = "asset_discovery";

    public static final List<String> CATCHUP = List.of("none", "latest", "all");
    public static final List<String> OVERLAP = List.of("skip", "allow", "queue", "replace");

    /**
     * How schedules, webhooks, discovery and their APIs address the trigger at {@code position}
     * (from 0) in its template: its name, else its position.
     */
    public String key(int position) {
        return name != null ? name : String.valueOf(position);
    }

    public static TriggerSpec manual() {
        return new TriggerSpec(MANUAL, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public static TriggerSpec schedule(String name, String cron, String timezone, List<TargetSelector> targets,
            String catchup, String catchupWindow, String overlap, Boolean paused) {
        return new TriggerSpec(SCHEDULE, name, cron, timezone, targets, catchup, catchupWindow, overlap, null, null,
                null, null, paused);
    }

    public static TriggerSpec webhook(String name, List<String> events, String filter, String overlap) {
        return new TriggerSpec(WEBHOOK, name, null, null, null, null, null, overlap, events, filter, null, null, null);
    }

    public static TriggerSpec discovery(String name, List<String> assetTypes, String assetFilter) {
        return new TriggerSpec(ASSET_DISCOVERY, name, null, null, null, null, null, null, null, null, assetTypes,
                assetFilter, null);
    }
}
