package dev.scanflow.pipeline.definition;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** A validated, normalized pipeline template: what is stored and what the API returns. */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record TemplateDefinition(
        String name,
        String description,
        List<String> tags,
        List<TriggerSpec> triggers,
        List<StepSpec> steps,
        SettingsSpec settings) {
}
