package dev.scanflow.credential;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;

/**
 * A scan credential as every role may see it: never its value. {@code scope} empty: any target;
 * {@code usable_by} null: every pipeline; {@code has_previous}: the value before the last rotation
 * is still given to the commands made before it, until {@code grace_until}.
 */
@RegisterForReflection
public record CredentialView(String name, String kind, String username, String header, List<String> scope,
        List<String> usableBy, boolean hasPrevious, Instant graceUntil, String createdBy, Instant createdAt,
        Instant rotatedAt) {
}
