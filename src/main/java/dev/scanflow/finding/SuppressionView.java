package dev.scanflow.finding;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.UUID;

/** A suppression as the API shows it; {@code active} is false once it expired. */
@RegisterForReflection
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SuppressionView(UUID id, UUID findingId, String ruleId, String pattern, UUID assetId,
        String reason, String owner, Instant expiresAt, boolean active, String createdBy, Instant createdAt) {
}
