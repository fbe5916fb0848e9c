package dev.scanflow.finding;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A finding as the API shows it. Its identity (a hash of what it is, a secret's line among it)
 * stays in the service: the id is as stable, and SARIF's {@code scanflow/v1} is the id. {@code state} is where it stood after the last run that looked
 * for it (new, unchanged, reopened, fixed); {@code change} is set where a run's findings are
 * listed: what that run made of it. {@code suppressed} when a suppression was in force the last
 * time it was seen.
 */
@RegisterForReflection
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FindingView(UUID id, UUID assetId, String kind, List<String> tools, String ruleId,
        String title, String severity, Map<String, Object> location, List<String> references, String fingerprint,
        String message, String state, String change, boolean suppressed, UUID suppressionId, UUID firstSeenRunId,
        Instant firstSeenAt, UUID lastSeenRunId, Instant lastSeenAt, UUID fixedRunId, Instant fixedAt) {
}
