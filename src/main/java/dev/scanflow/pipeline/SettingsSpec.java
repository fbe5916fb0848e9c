package dev.scanflow.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Run-wide settings of a template. */
public record SettingsSpec(
        Integer maxParallelSteps,
        Boolean failFast,
        Integer retryFailedSteps,
        String timeout,
        NotificationSpec notification) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NotificationSpec(Boolean onStart, Boolean onComplete, Boolean onFailure, List<String> channels) {
    }
}
