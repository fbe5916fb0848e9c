package dev.scanflow.pipeline;

import dev.scanflow.pipeline.definition.SettingsSpec;
import dev.scanflow.pipeline.definition.StepSpec;
import dev.scanflow.pipeline.definition.TriggerSpec;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A pipeline template version as the API returns it, with the read-only fields the design
 * document's template shows ({@code id}, {@code tenant_id}: null for a system template, which
 * belongs to no tenant). {@code slug} names a system template ({@code is_system}); {@code derived_from} says which system template a tenant pipeline was made from.
 */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record PipelineView(
        UUID id,
        UUID tenantId,
        String name,
        String description,
        int version,
        boolean isActive,
        boolean isSystem,
        String slug,
        List<String> tags,
        List<TriggerSpec> triggers,
        List<StepSpec> steps,
        SettingsSpec settings,
        DerivedFrom derivedFrom,
        String createdBy,
        Instant createdAt,
        Instant updatedAt) {
}
