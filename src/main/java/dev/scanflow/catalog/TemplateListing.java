package dev.scanflow.catalog;

import dev.scanflow.pipeline.definition.TriggerSpec;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.UUID;

/**
 * A system template in the catalogue: what it is, its steps, and whether the caller's online
 * workers can run each of them today.
 */
@RegisterForReflection
public record TemplateListing(UUID id, String slug, String name, String description, int version, boolean isSystem,
        boolean isTemplate, List<String> tags, List<TriggerSpec> triggers, List<Step> steps, Coverage coverage) {

    /**
     * @param covered                 an online worker has every capability the step needs
     * @param preferredToolAvailable  such a worker also has the step's tool (else it runs its own tool for them)
     * @param missingCapabilities     what the closest online worker lacks
     */
    @RegisterForReflection
    public record Step(String id, String name, String tool, List<String> capabilities, boolean covered,
            boolean preferredToolAvailable, List<String> missingCapabilities) {
    }

    /** @param runnable every step is covered by the caller's online workers */
    @RegisterForReflection
    public record Coverage(boolean runnable, int coveredSteps, int totalSteps, List<String> missingCapabilities) {
    }
}
