package dev.scanflow.pipeline;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.UUID;

/**
 * The system template a tenant pipeline was made from ({@code POST /pipeline-templates/{id}/use}):
 * which version, and whether the template has a newer one since.
 */
@RegisterForReflection
public record DerivedFrom(UUID templateId, String slug, String name, int version, int latestVersion,
        boolean updateAvailable) {
}
