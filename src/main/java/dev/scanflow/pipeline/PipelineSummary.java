package dev.scanflow.pipeline;

import dev.scanflow.pipeline.definition.TriggerSpec;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A pipeline in a list: its latest version, without the steps. */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record PipelineSummary(
        UUID id,
        String name,
        String description,
        int version,
        boolean isActive,
        boolean isSystem,
        String slug,
        List<String> tags,
        List<TriggerSpec> triggers,
        DerivedFrom derivedFrom,
        String createdBy,
        Instant createdAt,
        Instant updatedAt) {
}
