package dev.scanflow.discovery;

import dev.scanflow.asset.AssetAnnouncements;
import dev.scanflow.asset.AssetRows;
import dev.scanflow.condition.ConditionException;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.engine.NewRun;
import dev.scanflow.engine.RunStartPlan;
import dev.scanflow.pipeline.PipelineRows;
import dev.scanflow.pipeline.PinnedTemplate;
import dev.scanflow.pipeline.definition.TriggerSpec;
import dev.scanflow.run.RunLauncher;
import dev.scanflow.run.RunOrigin;
import dev.scanflow.trigger.TargetSelection;
import dev.scanflow.trigger.TriggerOutcomes;
import dev.scanflow.trigger.TriggerOutcomes.Outcome;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Asset discovery, each {@code scanflow.discovery.tick} on every replica, in two steps:
 * <ol>
 * <li>announcements (assets created or announced) become one pending request per pipeline whose
 * latest active version has a matching {@code asset_discovery} trigger (its {@code asset_types},
 * its {@code asset_filter}); an asset with a request pending already is {@code debounced};</li>
 * <li>per tenant, under a lock, pending requests start runs up to the tenant's budget
 * ({@code max-runs-per-window} per {@code window}); a pipeline that ran on the asset within the
 * {@code debounce} window is not run again ({@code debounced}); what waits is recorded once as
 * {@code held}. Every start is a plan the engine writes behind the tenant's lock (see
 * {@link DiscoveryRequests#unchanged}), with {@code trigger_type: asset_discovery}.</li>
 * </ol>
 */
@ApplicationScoped
public class DiscoveryTicker {

    private static final Logger LOG = Logger.getLogger(DiscoveryTicker.class);
    private static final int ANNOUNCEMENTS_PER_TICK = 1000;
    private static final int TENANTS_PER_TICK = 100;

    private final Pool pool;
    private final RunLauncher launcher;
    private final TriggerOutcomes outcomes;
    private final TargetSelection selection;
    private final DiscoveryRequests requests;
    private final PipelineRows pipelineRows;
    private final ScanflowConfig config;

    public DiscoveryTicker(Pool pool, RunLauncher launcher, TriggerOutcomes outcomes, TargetSelection selection,
            DiscoveryRequests requests, PipelineRows pipelineRows, ScanflowConfig config) {
        this.pool = pool;
        this.launcher = launcher;
        this.outcomes = outcomes;
        this.selection = selection;
        this.requests = requests;
        this.pipelineRows = pipelineRows;
        this.config = config;
    }

    @Scheduled(every = "${scanflow.discovery.tick:1s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return tick()
                .onFailure().invoke(e -> LOG.warnf("discovery tick failed: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One tick: the number of runs it started. */
    public Uni<Integer> tick() {
        return expand().chain(this::startPending);
    }

    /** A pipeline's discovery trigger. */
    private record Hook(UUID tenantId, UUID pipelineId, String key, TriggerSpec trigger) {
    }

    // ------------------------------------------------------------------ announcements → requests

    private Uni<Void> expand() {
        List<Outcome> recorded = new ArrayList<>();
        return pool.withTransaction(tx -> AssetAnnouncements.take(tx, ANNOUNCEMENTS_PER_TICK).chain(taken -> {
                    if (taken.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    // an asset deleted since is nobody's discovery
                    List<AssetAnnouncements.Taken> assets = taken.stream().filter(t -> t.asset() != null).toList();
                    UUID[] tenants = assets.stream().map(AssetAnnouncements.Taken::tenantId).distinct().toArray(UUID[]::new);
                    Uni<List<PipelineRows.LatestTrigger>> hooks = tenants.length == 0 ? Uni.createFrom().item(List.of())
                            : pipelineRows.triggersOfType(tx, TriggerSpec.ASSET_DISCOVERY, tenants, null);
                    return hooks.chain(found -> request(tx, found.stream().map(h -> new Hook(h.tenantId(), h.pipelineId(),
                                    h.key(), h.trigger())).toList(), assets, recorded))
                            .chain(() -> AssetAnnouncements.forget(tx, taken.stream().map(AssetAnnouncements.Taken::id).toList()));
                }))
                .invoke(() -> outcomes.count(recorded));
    }

    private Uni<Void> request(SqlConnection tx, List<Hook> hooks, List<AssetAnnouncements.Taken> assets,
            List<Outcome> recorded) {
        List<DiscoveryRequests.Request> wanted = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (AssetAnnouncements.Taken taken : assets) {
            Map<String, Object> asset = taken.asset();
            UUID assetId = UUID.fromString(String.valueOf(asset.get("id")));
            for (Hook h : hooks) {
                if (!h.tenantId().equals(taken.tenantId()) || !seen.add(h.pipelineId() + "/" + assetId)) {
                    continue;
                }
                String why = mismatch(h.trigger(), asset);
                if (why != null) {
                    if (!why.isEmpty()) {
                        recorded.add(outcome(h, assetId, "filtered", why, null));
                    }
                    seen.remove(h.pipelineId() + "/" + assetId); // another trigger of the pipeline may match
                    continue;
                }
                wanted.add(new DiscoveryRequests.Request(0, h.tenantId(), h.pipelineId(), h.key(), assetId, false));
            }
        }
        return requests.request(tx, wanted).chain(waiting -> {
            waiting.forEach(w -> recorded.add(outcome(new Hook(w.tenantId(), w.pipelineId(), w.key(), null), w.assetId(),
                    "debounced", "a discovery run of this pipeline on the asset is waiting already", null)));
            return outcomes.record(tx, recorded);
        });
    }

    /** Why the trigger does not take the asset: null = it does; "" = not its type (not worth a record). */
    private String mismatch(TriggerSpec t, Map<String, Object> asset) {
        if (t.assetTypes() != null && !t.assetTypes().isEmpty() && !t.assetTypes().contains(String.valueOf(asset.get("type")))) {
            return "";
        }
        if (t.assetFilter() == null) {
            return null;
        }
        try {
            return selection.filter(t.assetFilter(), asset) ? null : "";
        } catch (ConditionException e) {
            return "the trigger's asset_filter failed on this asset: " + e.getMessage();
        }
    }

    // ------------------------------------------------------------------ requests → runs

    private Uni<Integer> startPending() {
        return requests.tenantsWaiting(TENANTS_PER_TICK)
                .chain(tenants -> Multi.createFrom().iterable(tenants)
                        .onItem().transformToUniAndConcatenate(t -> startFor(t)
                                .onFailure().invoke(e -> LOG.warnf("discovery runs of tenant %s: %s", t, e.toString()))
                                .onFailure().recoverWithItem(0))
                        .collect().asList()
                        .map(counts -> counts.stream().mapToInt(Integer::intValue).sum()));
    }

    private Uni<Integer> startFor(UUID tenant) {
        return requests.pending(tenant, config.discovery().maxRunsPerWindow()).chain(peeked -> {
            // the templates and assets are read before the plan is made
            Set<UUID> pipelines = new HashSet<>();
            peeked.forEach(p -> pipelines.add(p.pipelineId()));
            Map<UUID, PinnedTemplate> pinned = new HashMap<>();
            return Multi.createFrom().iterable(pipelines)
                    .onItem().transformToUniAndConcatenate(id -> launcher.pinActive(tenant, id)
                            .invoke(p -> pinned.put(id, p))
                            .onFailure().recoverWithNull())
                    .collect().last()
                    .chain(() -> AssetRows.snapshots(pool, tenant, peeked.stream().map(DiscoveryRequests.Request::assetId)
                            .distinct().toArray(UUID[]::new)))
                    .chain(assets -> decide(tenant, peeked, pinned, assets));
        });
    }

    private Uni<Integer> decide(UUID tenant, List<DiscoveryRequests.Request> peeked, Map<UUID, PinnedTemplate> pinned,
            Map<UUID, Map<String, Object>> assets) {
        List<List<Outcome>> recorded = new ArrayList<>(List.of(List.of()));
        return launcher.start(() -> requests.budget(tenant, peeked.stream().map(DiscoveryRequests.Request::id).toList())
                        .map(budget -> plan(tenant, budget, pinned, assets))
                        .invoke(planned -> recorded.set(0, planned.answer())))
                .invoke(() -> outcomes.count(recorded.get(0)))
                .map(done -> (int) done.stream().filter(o -> "started".equals(o.outcome())).count());
    }

    /**
     * The tenant's decision as a plan: behind the tenant's lock, and only while the budget used
     * and the chosen requests are as read, start what the budget allows (the rest of the chosen
     * requests are debounced or skipped) and mark the requests left waiting as held, once.
     */
    private RunLauncher.Planned<List<Outcome>> plan(UUID tenant, DiscoveryRequests.Budget budget,
            Map<UUID, PinnedTemplate> pinned, Map<UUID, Map<String, Object>> assets) {
        int max = config.discovery().maxRunsPerWindow();
        RunStartPlan.Builder plan = RunStartPlan.builder().guard(DiscoveryRequests.serialize(tenant))
                .guard(requests.unchanged(tenant, budget));
        List<Outcome> recorded = new ArrayList<>();
        List<Tuple> decisions = new ArrayList<>();
        for (DiscoveryRequests.Request r : budget.chosen()) {
            Hook hook = new Hook(tenant, r.pipelineId(), r.key(), null);
            PinnedTemplate template = pinned.get(r.pipelineId());
            Map<String, Object> asset = assets.get(r.assetId());
            if (r.recent()) {
                String why = "the pipeline ran on this asset for a discovery within the last "
                        + config.discovery().debounce().toMinutes() + " min (debounce)";
                decisions.add(DiscoveryRequests.decision(r.id(), "debounced", null, why));
                recorded.add(outcome(hook, r.assetId(), "debounced", why, null));
            } else if (template == null || asset == null) {
                String why = template == null ? "the pipeline is gone or deactivated" : "the asset is gone";
                decisions.add(DiscoveryRequests.decision(r.id(), "skipped", null, why));
                recorded.add(outcome(hook, r.assetId(), "skipped", why, null));
            } else {
                NewRun run = launcher.prepare(tenant, template, r.assetId(), asset, Map.of(), null,
                        new RunOrigin("asset_discovery", "discovery:" + template.name() + "/" + r.key(), null));
                plan.start(run);
                decisions.add(DiscoveryRequests.decision(r.id(), "started", run.state().id, null));
                recorded.add(outcome(hook, r.assetId(), "started", null, run.state().id));
            }
        }
        plan.records(DiscoveryRequests.decide(decisions));
        // held only when the budget is what stops them: requests another replica added after this
        // tick read its own wait for the next tick, unrecorded
        if (budget.used() + plan.runs().size() >= max && !budget.waiting().isEmpty()) {
            String why = "the tenant's discovery budget (" + max + " runs per "
                    + config.discovery().window().toSeconds() + " s) is used up; it starts when the budget allows";
            plan.record(DiscoveryRequests.hold(budget.waiting()));
            budget.waiting().forEach(w -> recorded.add(outcome(new Hook(tenant, w.pipelineId(), w.key(), null),
                    w.assetId(), "held", why, null)));
        }
        return new RunLauncher.Planned<>(plan.records(TriggerOutcomes.insert(recorded)).build(), recorded);
    }

    private static Outcome outcome(Hook h, UUID assetId, String outcome, String reason, UUID runId) {
        return new Outcome(h.tenantId(), h.pipelineId(), h.key(), "asset_discovery", null, assetId, outcome, reason, runId);
    }
}
