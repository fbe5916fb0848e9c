package dev.scanflow.pipeline.definition;

import dev.scanflow.common.TreeReader;
import java.util.List;
import java.util.regex.Pattern;

/** Reads a template's {@code settings}, with the design document's names and defaults filled in. */
final class SettingsReader {

    static final int DEFAULT_MAX_PARALLEL = 5;
    /** The highest per-pipeline run limit (runs over it wait pending). */
    static final int MAX_CONCURRENT_RUNS = 100_000;
    private static final Pattern CHANNEL = dev.scanflow.common.NameRules.NAME_TOKEN;
    private static final List<String> NEW_FINDINGS_LEVELS = dev.scanflow.protocol.Finding.SEVERITIES;

    SettingsSpec read(TreeReader.Fields template, TreeReader reader) {
        TreeReader.Fields f = template.object("settings");
        if (f == null) {
            return new SettingsSpec(DEFAULT_MAX_PARALLEL, false, 0, null, null);
        }
        Integer parallel = f.integer("max_parallel_steps");
        if (parallel == null) {
            parallel = DEFAULT_MAX_PARALLEL;
        } else if (parallel < 1 || parallel > 100) {
            reader.error(f.path("max_parallel_steps"), "must be between 1 and 100");
        }
        Boolean failFast = f.bool("fail_fast");
        Integer retries = f.integer("retry_failed_steps");
        if (retries == null) {
            retries = 0;
        } else if (retries < 0 || retries > 10) {
            reader.error(f.path("retry_failed_steps"), "must be between 0 and 10");
        }
        String timeout = f.text("timeout");
        if (timeout != null) {
            timeout = Texts.duration(timeout, f.path("timeout"), 60, 30 * 86_400L, reader);
        }
        Integer maxRuns = f.integer("max_concurrent_runs");
        if (maxRuns != null && (maxRuns < 1 || maxRuns > MAX_CONCURRENT_RUNS)) {
            reader.error(f.path("max_concurrent_runs"), "must be between 1 and " + MAX_CONCURRENT_RUNS
                    + " (leave it out for no limit)");
        }
        SettingsSpec.NotificationSpec notification = notification(f.object("notification"), reader);
        f.done();
        return new SettingsSpec(parallel, failFast != null && failFast, retries, timeout, notification, maxRuns);
    }

    private static SettingsSpec.NotificationSpec notification(TreeReader.Fields f, TreeReader reader) {
        if (f == null) {
            return null;
        }
        Boolean onCompletion = f.bool(f.spelling("on_completion", "on_complete"));
        Boolean onFailure = f.bool("on_failure");
        Boolean onStart = f.bool("on_start");
        Boolean onStateChange = f.bool("on_state_change");
        String onNewFindings = f.text("on_new_findings");
        if (onNewFindings != null && !NEW_FINDINGS_LEVELS.contains(onNewFindings)) {
            reader.error(f.path("on_new_findings"), "must be a severity: " + String.join(", ", NEW_FINDINGS_LEVELS)
                    + " (completed runs are announced only when they found new findings at or above it)");
        }
        List<String> channels = f.strings("channels");
        if (channels != null) {
            for (int j = 0; j < channels.size(); j++) {
                if (!CHANNEL.matcher(channels.get(j)).matches()) {
                    reader.error(f.path("channels") + "[" + j + "]", "'" + channels.get(j)
                            + "' is not a valid channel name (lowercase letters, digits, '.', '_', '-')");
                }
            }
        }
        f.done();
        return new SettingsSpec.NotificationSpec(onCompletion, onFailure, onStart, channels, onStateChange, onNewFindings);
    }
}
