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
        NotificationSpec notification) {

    /**
     * When and where a run's outcome is announced: {@code on_completion}, {@code on_failure} and
     * {@code channels} (kinds such as slack and email, or channel names) as the document writes
     * them; {@code on_start} and {@code on_state_change} (only a first failure and the recovery
     * of the pipeline on an asset) are Scanflow's additions.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    public record NotificationSpec(Boolean onCompletion, Boolean onFailure, Boolean onStart, List<String> channels,
            Boolean onStateChange) {

        public NotificationSpec(Boolean onCompletion, Boolean onFailure, Boolean onStart, List<String> channels) {
            this(onCompletion, onFailure, onStart, channels, null);
        }
    }
}
