package dev.scanflow.trigger;

import static dev.scanflow.common.PgValues.odt;

import dev.scanflow.asset.AssetService;
import dev.scanflow.common.ApiException;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.DurationText;
import dev.scanflow.engine.Launch;
import dev.scanflow.engine.NewRun;
import dev.scanflow.pipeline.PinnedTemplate;
import dev.scanflow.pipeline.definition.TriggerSpec;
import dev.scanflow.run.IdempotencyKeys;
import dev.scanflow.run.RunLauncher;
import dev.scanflow.run.RunOrigin;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
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
 * Fires a schedule: in one transaction, locks the schedule (a replica that holds it is skipped,
 * not waited for), writes one {@code schedule_fires} row per nominal fire it runs, starts the
 * runs of each fire through the run launcher (overlap rules applied), records what it did not
 * start, and moves the schedule to its next fire. A replica that dies mid-fire leaves all of it
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
            boolean replayed) {

        static final Fired NOTHING = new Fired(List.of(), List.of(), List.of(), false);
    }

    public static ScheduleCalendar calendar(TriggerSpec trigger) {
        return new ScheduleCalendar(trigger.cron(), ZoneId.of(trigger.timezone() == null ? "UTC" : trigger.timezone()));
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

    /** Fires a due schedule (the in-service scheduler); nothing when another replica has it. */
    Uni<Fired> fireDue(Schedules.State due, Instant now) {
        return inputs(due.tenantId(), due.pipelineId())
                .chain(in -> launcher.<Fired>launch(tx -> schedules.lockDue(tx, due.pipelineId(), due.triggerKey(), now)
                        .chain(locked -> locked == null ? Uni.createFrom().item(Launch.nothing(Fired.NOTHING))
                                : fireDue(tx, locked, in, now))))
                .invoke(fired -> {
                    outcomes.count(fired.outcomes());
                    metrics.counter("scanflow.schedule.fires").increment(fired.fireTimes().size());
                });
    }

    private Uni<Launch<Fired>> fireDue(SqlConnection tx, Schedules.State s, Inputs in, Instant now) {
        TriggerSpec trigger = s.trigger();
        ScheduleCalendar calendar = calendar(trigger);
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

        List<NewRun> runs = new ArrayList<>();
        List<UUID> cancel = new ArrayList<>();
        List<TriggerOutcomes.Outcome> recorded = new ArrayList<>();
        List<Instant> fired = new ArrayList<>();
        Set<UUID> busy = TriggeredStarts.none();
        RunOrigin origin = origin("schedule", s.pipelineName(), s.triggerKey(), null);
        Uni<Void> fires = Multi.createFrom().iterable(decided.run())
                .onItem().transformToUniAndConcatenate(fire -> claimFire(tx, s, fire.at(), fire.catchup() ? "catchup" : "schedule")
                        .chain(claimed -> {
                            if (!claimed) {
                                return Uni.createFrom().voidItem();
                            }
                            fired.add(fire.at());
                            var source = new TriggeredStarts.Source(s.tenantId(), s.pipelineId(), s.triggerKey(), "schedule",
                                    fire.at(), trigger.overlap(), origin, Map.of());
                            return startOn(tx, in, trigger, source, busy).invoke(p -> {
                                runs.addAll(p.runs());
                                cancel.addAll(p.cancel());
                                recorded.addAll(p.outcomes());
                            }).replaceWithVoid();
                        }))
                .collect().last().replaceWithVoid();
        Instant last = recent.isEmpty() ? (older.isEmpty() ? null : older.get(older.size() - 1))
                : recent.get(recent.size() - 1);
        return fires
                .chain(() -> recordMissed(tx, s, missed, older.size() >= MAX_COUNTED, recorded))
                .chain(() -> schedules.advance(tx, s.pipelineId(), s.triggerKey(), last, calendar.nextAfter(now)))
                .replaceWith(() -> new Launch<>(runs, cancel, new Fired(fired, runs.stream().map(r -> r.state().id).toList(),
                        recorded, false)));
    }

    /**
     * Fires a schedule now for its targets (POST .../schedules/{n}/fire: the CronJob, a person):
     * runs start as {@code api}; an idempotency key returns the first request's runs.
     */
    public Uni<Fired> fireNow(UUID tenant, UUID pipelineId, String key, String user, String idempotencyKey, Instant now) {
        return schedules.sync(now, pipelineId)
                .chain(() -> inputs(tenant, pipelineId))
                .chain(in -> launcher.<Fired>launch(tx -> schedules.lock(tx, pipelineId, key).chain(s -> {
                    if (s == null || !s.tenantId().equals(tenant) || !s.active()) {
                        throw ApiException.notFound("schedule '" + key + "' of pipeline " + pipelineId);
                    }
                    if (s.paused()) {
                        throw ApiException.conflict("schedule '" + key + "' is paused; resume it to fire it");
                    }
                    Uni<List<UUID>> claim = idempotencyKey == null ? Uni.createFrom().nullItem()
                            : idempotency.claim(tx, tenant, idempotencyKey,
                                    IdempotencyKeys.hash("fire", pipelineId.toString(), key), List.of());
                    return claim.chain(earlier -> earlier != null
                            ? Uni.createFrom().item(Launch.nothing(new Fired(List.of(), earlier, List.of(), true)))
                            : fireNow(tx, s, in, user, now).call(launch -> idempotencyKey == null
                                    ? Uni.createFrom().voidItem()
                                    : idempotency.settle(tx, tenant, idempotencyKey, launch.result().runIds())));
                })))
                .invoke(fired -> outcomes.count(fired.outcomes()));
    }

    private Uni<Launch<Fired>> fireNow(SqlConnection tx, Schedules.State s, Inputs in, String user, Instant now) {
        // the fire's row is its record; what makes a retried request start nothing is its idempotency key
        return claimFire(tx, s, now, "api").chain(() -> {
            var source = new TriggeredStarts.Source(s.tenantId(), s.pipelineId(), s.triggerKey(), "api", now,
                    s.trigger().overlap(), origin("api", s.pipelineName(), s.triggerKey(), user), Map.of());
            return startOn(tx, in, s.trigger(), source, TriggeredStarts.none())
                    .call(p -> tx.preparedQuery("UPDATE schedules SET last_fire_at = $3, updated_at = now() "
                                    + "WHERE pipeline_id = $1 AND trigger_key = $2")
                            .execute(Tuple.of(s.pipelineId(), s.triggerKey(), odt(now))))
                    .map(p -> new Launch<>(p.runs(), p.cancel(), new Fired(List.of(now), p.runIds(), p.outcomes(), false)));
        });
    }

    /** The fire's row: false when this nominal fire was written before (it is never run twice). */
    private Uni<Boolean> claimFire(SqlConnection tx, Schedules.State s, Instant at, String source) {
        return tx.preparedQuery("INSERT INTO schedule_fires (pipeline_id, trigger_key, fire_at, tenant_id, source) "
                        + "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1")
                .execute(Tuple.of(s.pipelineId(), s.triggerKey(), odt(at), s.tenantId(), source))
                .map(rows -> rows.size() == 1);
    }

    /** Selects the trigger's targets among the assets and plans their starts. */
    private Uni<TriggeredStarts.Planned> startOn(SqlConnection tx, Inputs in, TriggerSpec trigger,
            TriggeredStarts.Source source, Set<UUID> busy) {
        TargetSelection.Selected selected = targets.select(trigger.targets(), in.assets());
        List<TriggerOutcomes.Outcome> extra = new ArrayList<>();
        selected.failed().forEach((asset, why) -> extra.add(TriggeredStarts.outcome(source, UUID.fromString(asset),
                "skipped", "the target's asset_filter failed on this asset: " + why, null)));
        List<Map<String, Object>> matching = selected.assets();
        int max = config.schedules().maxTargets();
        if (matching.size() > max) {
            extra.add(TriggeredStarts.outcome(source, null, "held", (matching.size() - max)
                    + " more assets match than scanflow.schedules.max-targets (" + max + "); they were not started", null));
        }
        List<Map<String, Object>> chosen = matching.size() > max ? matching.subList(0, max) : matching;
        return outcomes.record(tx, extra).chain(() -> starts.plan(tx, in.pinned(), source, chosen, busy))
                .map(p -> {
                    List<TriggerOutcomes.Outcome> all = new ArrayList<>(extra);
                    all.addAll(p.outcomes());
                    return new TriggeredStarts.Planned(p.runs(), p.cancel(), all);
                });
    }

    /** One outcome for all the fires a tick will not run (never one per missed minute). */
    private Uni<Void> recordMissed(SqlConnection tx, Schedules.State s, List<Instant> missed, boolean more,
            List<TriggerOutcomes.Outcome> recorded) {
        if (missed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        metrics.counter("scanflow.schedule.fires.missed").increment(missed.size());
        Instant latest = missed.get(missed.size() - 1);
        String count = (more ? "more than " : "") + missed.size() + (missed.size() == 1 ? " fire" : " fires");
        String reason = count + " from " + missed.get(0) + " to " + latest + " not run (catchup: "
                + s.trigger().catchup() + ", catchup_window: " + s.trigger().catchupWindow() + ")";
        TriggerOutcomes.Outcome o = new TriggerOutcomes.Outcome(s.tenantId(), s.pipelineId(), s.triggerKey(), "schedule",
                latest, null, "missed", reason, null);
        recorded.add(o);
        return outcomes.record(tx, List.of(o));
    }
}
