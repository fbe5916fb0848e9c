package dev.scanflow.trigger;

import dev.scanflow.pipeline.definition.TargetSelector;
import dev.scanflow.pipeline.definition.TriggerSpec;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;

/** What the schedules API answers. */
public final class ScheduleViews {

    private ScheduleViews() {
    }

    /** A fire time as an instant, as the zone's wall clock, and the zone's offset from UTC then. */
    @RegisterForReflection
    public record FireTime(Instant at, String local, String utcOffset) {

        static FireTime of(Instant at, java.time.ZoneId zone) {
            ZonedDateTime z = at.atZone(zone);
            return new FireTime(at, z.toOffsetDateTime().toString(), z.getOffset().getId().equals("Z") ? "+00:00"
                    : z.getOffset().getId());
        }
    }

    /**
     * A schedule trigger and where it stands: {@code key} addresses it in the API (its name, or its
     * position in the template's triggers); {@code state} is active or paused.
     */
    @RegisterForReflection
    public record ScheduleView(String key, String name, String cron, String timezone, List<TargetSelector> targets,
            String catchup, String catchupWindow, String overlap, String state, Instant pausedAt, Instant lastFireAt,
            Instant nextFireAt, List<FireTime> nextFires, List<OutcomeView> recentOutcomes) {

        static ScheduleView of(Schedules.State s, List<FireTime> next, List<OutcomeView> recent) {
            TriggerSpec t = s.trigger();
            return new ScheduleView(s.triggerKey(), t.name(), t.cron(), t.timezone() == null ? "UTC" : t.timezone(),
                    t.targets() == null ? List.of() : t.targets(), t.catchup(), t.catchupWindow(), t.overlap(),
                    s.paused() ? "paused" : "active", s.pausedAt(), s.lastFireAt(), s.paused() ? null : s.nextFireAt(),
                    next, recent);
        }
    }

    /** What a trigger did about an asset, or about a whole fire (asset_id null). */
    @RegisterForReflection
    public record OutcomeView(String trigger, String triggerType, Instant fireAt, UUID assetId, String outcome,
            String reason, UUID runId, Instant createdAt) {

        static OutcomeView of(TriggerOutcomes.Outcome o) {
            return new OutcomeView(o.triggerKey(), o.triggerType(), o.fireAt(), o.assetId(), o.outcome(), o.reason(),
                    o.runId(), o.createdAt());
        }
    }

    /** What a fire did; {@code replayed} when an Idempotency-Key returned an earlier fire's runs. */
    @RegisterForReflection
    public record FireView(String schedule, List<Instant> fireTimes, List<UUID> runIds, List<OutcomeView> outcomes,
            boolean replayed) {
    }
}
