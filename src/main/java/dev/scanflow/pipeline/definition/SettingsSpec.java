package dev.scanflow.pipeline.definition;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** Run-wide settings of a template, named as in the design document. */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record SettingsSpec(
        Integer maxParallelSteps,
        Boolean failFast,
        Integer retryFailedSteps,
        String timeout,
        NotificationSpec notification,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer maxConcurrentRuns) {

    /** Without a run limit. */
    public SettingsSpec(Integer maxParallelSteps, Boolean failFast, Integer retryFailedSteps, String timeout,
            NotificationSpec notification) {
        this(maxParallelSteps, failFast, retryFailedSteps, timeout, notification, null);
    }

    /**
     * When and where a run's outcome is announced: {@code on_completion}, {@code on_failure} and
     * {@code channels} (kinds such as slack and email, or channel names) as the document writes
     * them; {@code on_start}, {@code on_state_change} (only a first failure and the recovery
     * of the pipeline on an asset) and {@code on_new_findings} (a severity: completed runs are
     * announced only when they found new, unsuppressed findings at or above it) are Scanflow's
     * additions.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    public record NotificationSpec(Boolean onCompletion, Boolean onFailure, Boolean onStart, List<String> channels,
            Boolean onStateChange, String onNewFindings) {

        public NotificationSpec(Boolean onCompletion, Boolean onFailure, Boolean onStart, List<String> channels) {
            this(onCompletion, onFailure, onStart, channels, null, null);
        }
    }
}
