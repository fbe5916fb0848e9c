package dev.scanflow.pipeline.definition;

import java.util.List;

/** A validated, normalized pipeline template: what is stored and what the API returns. */
public record TemplateDefinition(
        String name,
        String description,
        List<String> tags,
        List<TriggerSpec> triggers,
        List<StepSpec> steps,
        SettingsSpec settings) {
}
