package dev.scanflow.scope;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A tenant's scan policy as the API answers it: what was written, normalized, with its version,
 * who wrote it when, and the end of the blackout window open now ({@code blackout_until}, null
 * when none is). Every field of it may be sent back in a PUT.
 */
@RegisterForReflection
public record ScanPolicyView(UUID tenantId, List<String> allowedTargets, List<String> excludedTargets,
        List<Window> blackoutWindows, List<String> activeCapabilities, List<Budget> targetBudgets, int version,
        String updatedBy, Instant updatedAt, Instant blackoutUntil) {

    @RegisterForReflection
    @Schema(name = "BlackoutWindow", description = "Active steps wait while it is open: from each time the cron fires "
            + "on the zone's wall clock, for the duration")
    public record Window(String cron, String duration, String timezone) {
    }

    @RegisterForReflection
    @Schema(name = "TargetBudget", description = "What one target (a host name, an address, a CIDR range or a repository "
            + "URL, answered as its key) may take at once across pipelines, tenants and replicas: max_active_steps steps "
            + "on workers (1-100, default 1), sharing requests_per_second (1-100000; null: no rate). It bounds this tenant's "
            + "steps on the target, counting every tenant's steps there")
    public record Budget(String target, int maxActiveSteps, Integer requestsPerSecond) {
    }

    static ScanPolicyView of(ScanPolicies.Stored stored, Instant now) {
        var doc = stored.document();
        var blackout = PolicyCheck.blackout(stored.compile(), now);
        return new ScanPolicyView(stored.tenant(), doc.allowedTargets(), doc.excludedTargets(),
                doc.blackoutWindows().stream().map(w -> new Window(w.cron(), w.duration(), w.timezone())).toList(),
                doc.activeCapabilities(),
                doc.targetBudgets().stream().map(b -> new Budget(b.target(), b.maxActiveSteps(), b.requestsPerSecond()))
                        .toList(),
                stored.version(), stored.updatedBy(), stored.updatedAt(),
                blackout == null ? null : blackout.until());
    }
}
