package dev.scanflow.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A pipeline template as a user sends it (YAML or JSON). Triggers stay raw here because the
 * seed accepts several shapes for them; {@link TemplateValidator} normalizes them.
 */
public record TemplateInput(
        String name,
        String description,
        List<String> tags,
        JsonNode trigger,
        JsonNode triggers,
        List<StepSpec> steps,
        SettingsSpec settings) {
}
