package dev.scanflow.pipeline.definition;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * A step of a pipeline template, as users write it and as the API returns it (after
 * normalization: defaults filled in, {@code timeout} as duration text).
 */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record StepSpec(
        String id,
        String name,
        Integer order,
        String tool,
        List<String> capabilities,
        Map<String, Object> config,
        String timeout,
        List<String> dependsOn,
        ConditionSpec condition,
        Integer maxRetries,
        Integer retryDelaySeconds) {
}
