package dev.scanflow.pipeline;

import dev.scanflow.pipeline.definition.TemplateDefinition;
import java.util.UUID;

/** The latest version of a pipeline, as a run pins it ({@link PipelineQueries#pinLatest}). */
public record PinnedTemplate(UUID templateId, UUID pipelineId, int version, String name, boolean active,
        TemplateDefinition definition) {
}
