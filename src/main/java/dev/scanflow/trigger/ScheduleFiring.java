package dev.scanflow.trigger;

import dev.scanflow.asset.AssetService;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.CronCalendar;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.DurationText;
import dev.scanflow.engine.RunStartPlan;
import dev.scanflow.pipeline.PinnedTemplate;
import dev.scanflow.pipeline.definition.TriggerSpec;
import dev.scanflow.run.IdempotencyKeys;
import dev.scanflow.run.RunLauncher;
import dev.scanflow.run.RunOrigin;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Fires a schedule: plans, from the schedule as read, one {@code schedule_fires} row per nominal
 * fire it runs, the runs of each fire (overlap rules applied), what it did not start, and the
 * schedule's next fire; the engine writes the plan in one transaction behind a guard that locks
 * the schedule and finds it still due at that fire (a replica that fired it first moved it on:
 * then this one plans again and finds nothing due). A replica that dies mid-fire leaves all of it
 * or none; another replica then fires it.
 */
@ApplicationScoped
public class ScheduleFiring {

    /** Fires older than the catch-up window are only counted, up to this many. */
    private static final int MAX_COUNTED = 10_000;

    private final Schedules schedules;
    private final RunLauncher launcher;
    private final AssetService assets;
    private final TriggeredStarts starts;
    private final TriggerOutcomes outcomes;
    private final TargetSelection targets;
    private final IdempotencyKeys idempotency;
    private final ScanflowConfig config;
    private final MeterRegistry metrics;

    public ScheduleFiring(Schedules schedules, RunLauncher launcher, AssetService assets, TriggeredStarts starts,
            TriggerOutcomes outcomes, TargetSelection targets, IdempotencyKeys idempotency, ScanflowConfig config,
            MeterRegistry metrics) {
        this.schedules = schedules;
        this.launcher = launcher;
        this.assets = assets;
        this.starts = starts;
        this.outcomes = outcomes;
        this.targets = targets;
        this.idempotency = idempotency;
        this.config = config;
        this.metrics = metrics;
    }

    /** What a fire did: its nominal times, the runs it started, and every outcome. */
    public record Fired(List<Instant> fireTimes, List<UUID> runIds, List<TriggerOutcomes.Outcome> outcomes,
            boolean replayed, int missed) {

        static final Fired NOTHING = new Fired(List.of(), List.of(), List.of(), false, 0);
    }

    public static CronCalendar calendar(TriggerSpec trigger) {
        return new CronCalendar(trigger.cron(), ZoneId.of(trigger.timezone() == null ? "UTC" : trigger.timezone()));
    }

    public static RunOrigin origin(String type, String pipelineName, String key, String user) {
        return new RunOrigin(type, "schedule:" + pipelineName + "/" + key, user);
    }

    /** The template to run and the tenant's assets, read before the fire's transaction. */
    private record Inputs(PinnedTemplate pinned, List<Map<String, Object>> assets) {
    }

    private Uni<Inputs> inputs(UUID tenant, UUID pipelineId) {
        return launcher.pinActive(tenant, pipelineId).chain(pinned -> assets.snapshots(tenant, config.schedules().maxAssets())
                .map(list -> new Inputs(pinned, list)));
    }

    /** Fires a due schedule (the in-service scheduler); nothing when another replica fired it first. */
    Uni<Fired> fireDue(Schedules.State due, Instant now) {
        return inputs(due.tenantId(), due.pipelineId())
                .chain(in -> launcher.start(() -> schedules.get(due.pipelineId(), due.triggerKey())
                        .chain(s -> s == null || !s.active() || s.paused() || s.nextFireAt() == null
                                || s.nextFireAt().isAfter(now)
                                ? Uni.createFrom().item(RunLauncher.Planned.nothing(Fired.NOTHING))
                                : planDue(s, in, now))))
                .invoke(fired -> {
                    outcomes.count(fired.outcomes());
                    metrics.counter("scanflow.schedule.fires").increment(fired.fireTimes().size());
                    metrics.counter("scanflow.schedule.fires.missed").increment(fired.missed());
                });
    }

    private Uni<RunLauncher.Planned<Fired>> planDue(Schedules.State s, Inputs in, Instant now) {
        TriggerSpec trigger = s.trigger();
        CronCalendar calendar = calendar(trigger);
        Duration window = Duration.ofSeconds(DurationText.parseSeconds(trigger.catchupWindow()).orElse(3600L));
        Instant windowStart = now.minus(window.compareTo(CatchupRule.ON_TIME) > 0 ? window : CatchupRule.ON_TIME);
        Instant first = s.nextFireAt();
        // fires before the window are missed whatever the catch-up: only counted
        List<Instant> older = first.isBefore(windowStart)
                ? calendar.between(first.minusMillis(1), windowStart, MAX_COUNTED) : List.of();
        Instant from = first.isBefore(windowStart) ? windowStart : first.minusMillis(1);
        List<Instant> recent = calendar.between(from, now, MAX_COUNTED);
        CatchupRule.Outcome decided = CatchupRule.decide(recent, now, trigger.catchup(), window);
        List<Instant> missed = new ArrayList<>(older);
        missed.addAll(decided.missed());
        missed.sort(null);
        Instant last = recent.isEmpty() ? (older.isEmpty() ? null : older.get(older.size() - 1))
                : recent.get(recent.size() - 1);

        RunStartPlan.Builder plan = RunStartPlan.builder().guard(Schedules.stillDue(s));
        List<TriggerOutcomes.Outcome> recorded = new ArrayList<>();
        List<Instant> fired = new ArrayList<>();
        Set<UUID> busy = TriggeredStarts.none();
        RunOrigin origin = origin("schedule", s.pipelineName(), s.triggerKey(), null);
        return schedules.fired(s.pipelineId(), s.triggerKey(), decided.run().stream().map(CatchupRule.Fire::at).toList())
                .chain(done -> Multi.createFrom().iterable(decided.run())
                        .filter(fire -> !done.contains(fire.at())) // a nominal fire never runs twice
                        .onItem().transformToUniAndConcatenate(fire -> {
                            fired.add(fire.at());
                            plan.record(Schedules.fire(s, fire.at(), fire.catchup() ? "catchup" : "schedule"));
                            var source = new TriggeredStarts.Source(s.tenantId(), s.pipelineId(), s.triggerKey(), "schedule",
                                    fire.at(), trigger.overlap(), origin, Map.of());
                            return startOn(in, trigger, source, busy, plan).invoke(recorded::addAll);
                        })
                        .collect().last())
                .map(v -> {
                    missed(s, missed, older.size() >= MAX_COUNTED).ifPresent(recorded::add);
                    plan.records(TriggerOutcomes.insert(recorded)).record(Schedules.advance(s, last, calendar.nextAfter(now)));
                    RunStartPlan written = plan.build();
                    return new RunLauncher.Planned<>(written, new Fired(fired, written.runIds(), recorded, false, missed.size()));
                });
    }

    /**
     * Fires a schedule now for its targets (POST .../schedules/{n}/fire: the CronJob, a person):
     * runs start as {@code api}; an idempotency key returns the first request's runs.
     */
    public Uni<Fired> fireNow(UUID tenant, UUID pipelineId, String key, String user, String idempotencyKey, Instant now) {
        String hash = IdempotencyKeys.hash("fire", pipelineId.toString(), key);
        return schedules.sync(now, pipelineId)
                .chain(() -> inputs(tenant, pipelineId))
                .chain(in -> launcher.start(() -> schedules.get(pipelineId, key).chain(s -> {
                    if (s == null || !s.tenantId().equals(tenant) || !s.active()) {
                        throw ApiException.notFound("schedule '" + key + "' of pipeline " + pipelineId);
                    }
                    if (s.paused()) {
                        throw ApiException.conflict("schedule '" + key + "' is paused; resume it to fire it");
                    }
                    Uni<List<UUID>> earlier = idempotencyKey == null ? Uni.createFrom().nullItem()
                            : idempotency.earlier(tenant, idempotencyKey, hash);
                    return earlier.chain(runs -> runs != null
                            ? Uni.createFrom().item(RunLauncher.Planned.nothing(new Fired(List.of(), runs, List.of(), true, 0)))
                            : planNow(s, in, user, now, idempotencyKey, hash));
                })))
                .invoke(fired -> outcomes.count(fired.outcomes()));
    }

    private Uni<RunLauncher.Planned<Fired>> planNow(Schedules.State s, Inputs in, String user, Instant now,
            String idempotencyKey, String hash) {
        // the fire's row is its record; what makes a retried request start nothing is its idempotency key
        RunStartPlan.Builder plan = RunStartPlan.builder().guard(Schedules.fireable(s))
                .record(Schedules.fire(s, now, "api")).record(Schedules.firedNow(s, now));
        var source = new TriggeredStarts.Source(s.tenantId(), s.pipelineId(), s.triggerKey(), "api", now,
                s.trigger().overlap(), origin("api", s.pipelineName(), s.triggerKey(), user), Map.of());
        return startOn(in, s.trigger(), source, TriggeredStarts.none(), plan).map(recorded -> {
            plan.records(TriggerOutcomes.insert(recorded));
            List<UUID> runIds = plan.runs().stream().map(r -> r.state().id).toList();
            if (idempotencyKey != null) {
                plan.guard(IdempotencyKeys.claim(s.tenantId(), idempotencyKey, hash, runIds));
            }
            return new RunLauncher.Planned<>(plan.build(), new Fired(List.of(now), runIds, recorded, false, 0));
        });
    }

    /** Selects the trigger's targets among the assets and plans their starts; the outcomes, to record. */
    private Uni<List<TriggerOutcomes.Outcome>> startOn(Inputs in, TriggerSpec trigger, TriggeredStarts.Source source,
            Set<UUID> busy, RunStartPlan.Builder plan) {
        TargetSelection.Selected selected = targets.select(trigger.targets(), in.assets());
        List<TriggerOutcomes.Outcome> all = new ArrayList<>();
        selected.failed().forEach((asset, why) -> all.add(TriggeredStarts.outcome(source, UUID.fromString(asset),
                "skipped", "the target's asset_filter failed on this asset: " + why, null)));
        List<Map<String, Object>> matching = selected.assets();
        int max = config.schedules().maxTargets();
        if (matching.size() > max) {
            all.add(TriggeredStarts.outcome(source, null, "held", (matching.size() - max)
                    + " more assets match than scanflow.schedules.max-targets (" + max + "); they were not started", null));
        }
        List<Map<String, Object>> chosen = matching.size() > max ? matching.subList(0, max) : matching;
        return starts.plan(in.pinned(), source, chosen, busy, plan).map(planned -> {
            all.addAll(planned);
            return all;
        });
    }

    /** One outcome for all the fires a tick will not run (never one per missed minute). */
    private java.util.Optional<TriggerOutcomes.Outcome> missed(Schedules.State s, List<Instant> missed, boolean more) {
        if (missed.isEmpty()) {
            return java.util.Optional.empty();
        }
        Instant latest = missed.get(missed.size() - 1);
        String count = (more ? "more than " : "") + missed.size() + (missed.size() == 1 ? " fire" : " fires");
        String reason = count + " from " + missed.get(0) + " to " + latest + " not run (catchup: "
                + s.trigger().catchup() + ", catchup_window: " + s.trigger().catchupWindow() + ")";
        return java.util.Optional.of(new TriggerOutcomes.Outcome(s.tenantId(), s.pipelineId(), s.triggerKey(), "schedule",
                latest, null, "missed", reason, null));
    }
}
