package dev.scanflow.discovery;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.asset.AssetRows;
import dev.scanflow.condition.ConditionException;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.engine.Launch;
import dev.scanflow.engine.NewRun;
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
import io.vertx.mutiny.sqlclient.Row;
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
 * {@code held}. Every run goes through the run launcher, with {@code trigger_type:
 * asset_discovery}.</li>
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
    private final ObjectMapper mapper;
    private final ScanflowConfig config;

    public DiscoveryTicker(Pool pool, RunLauncher launcher, TriggerOutcomes outcomes, TargetSelection selection,
            ObjectMapper mapper, ScanflowConfig config) {
        this.pool = pool;
        this.launcher = launcher;
        this.outcomes = outcomes;
        this.selection = selection;
        this.mapper = mapper;
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
        return pool.withTransaction(tx -> tx.preparedQuery("SELECT a.id AS announcement, a.tenant_id AS announced_for, "
                                + "s.id, s.type, s.name, s.url, s.tags, s.criticality, s.properties FROM asset_announcements a "
                                + "LEFT JOIN assets s ON s.id = a.asset_id AND s.tenant_id = a.tenant_id ORDER BY a.id "
                                + "LIMIT $1 FOR UPDATE OF a SKIP LOCKED")
                        .execute(Tuple.of(ANNOUNCEMENTS_PER_TICK))
                        .chain(rows -> {
                            List<Long> ids = new ArrayList<>();
                            List<Map.Entry<UUID, Map<String, Object>>> assets = new ArrayList<>();
                            for (Row r : rows) {
                                ids.add(r.getLong("announcement"));
                                if (r.getUUID("id") != null) { // an asset deleted since is nobody's discovery
                                    assets.add(Map.entry(r.getUUID("announced_for"), AssetRows.snapshot(r)));
                                }
                            }
                            if (ids.isEmpty()) {
                                return Uni.createFrom().voidItem();
                            }
                            Set<UUID> tenants = new HashSet<>();
                            assets.forEach(e -> tenants.add(e.getKey()));
                            return hooks(tx, tenants)
                                    .chain(hooks -> request(tx, hooks, assets, recorded))
                                    .chain(() -> tx.preparedQuery("DELETE FROM asset_announcements WHERE id = ANY($1)")
                                            .execute(Tuple.of(ids.toArray(Long[]::new))).replaceWithVoid());
                        }))
                .invoke(() -> outcomes.count(recorded));
    }

    private Uni<List<Hook>> hooks(SqlConnection tx, Set<UUID> tenants) {
        if (tenants.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return tx.preparedQuery("SELECT t.tenant_id, t.pipeline_id, coalesce(tr ->> 'name', (ord - 1)::text) AS trigger_key, "
                        + "tr AS trigger FROM pipeline_templates t, jsonb_array_elements(t.triggers -> 'items') "
                        + "WITH ORDINALITY AS x(tr, ord) WHERE t.is_latest AND t.is_active AND t.tenant_id = ANY($1) "
                        + "AND tr ->> 'type' = 'asset_discovery'")
                .execute(Tuple.of(tenants.toArray(UUID[]::new)))
                .map(rows -> {
                    List<Hook> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Hook(r.getUUID("tenant_id"), r.getUUID("pipeline_id"),
                            r.getString("trigger_key"), mapper.convertValue(
                                    dev.scanflow.common.PgValues.json(r, "trigger"), TriggerSpec.class))));
                    return out;
                });
    }

    private Uni<Void> request(SqlConnection tx, List<Hook> hooks, List<Map.Entry<UUID, Map<String, Object>>> assets,
            List<Outcome> recorded) {
        List<UUID> tenantIds = new ArrayList<>();
        List<UUID> pipelineIds = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<UUID> assetIds = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<UUID, Map<String, Object>> e : assets) {
            Map<String, Object> asset = e.getValue();
            UUID assetId = UUID.fromString(String.valueOf(asset.get("id")));
            for (Hook h : hooks) {
                if (!h.tenantId().equals(e.getKey()) || !seen.add(h.pipelineId() + "/" + assetId)) {
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
                tenantIds.add(h.tenantId());
                pipelineIds.add(h.pipelineId());
                keys.add(h.key());
                assetIds.add(assetId);
            }
        }
        if (pipelineIds.isEmpty()) {
            return outcomes.record(tx, recorded);
        }
        return tx.preparedQuery("INSERT INTO discovery_requests (tenant_id, pipeline_id, trigger_key, asset_id, state) "
                        + "SELECT *, 'pending' FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[]) "
                        + "ON CONFLICT (pipeline_id, asset_id) WHERE state = 'pending' DO NOTHING RETURNING pipeline_id, asset_id")
                .execute(Tuple.of(tenantIds.toArray(UUID[]::new), pipelineIds.toArray(UUID[]::new),
                        keys.toArray(String[]::new), assetIds.toArray(UUID[]::new)))
                .chain(rows -> {
                    Set<String> inserted = new HashSet<>();
                    rows.forEach(r -> inserted.add(r.getUUID("pipeline_id") + "/" + r.getUUID("asset_id")));
                    for (int i = 0; i < pipelineIds.size(); i++) {
                        if (!inserted.contains(pipelineIds.get(i) + "/" + assetIds.get(i))) {
                            recorded.add(new Outcome(tenantIds.get(i), pipelineIds.get(i), keys.get(i), "asset_discovery",
                                    null, assetIds.get(i), "debounced",
                                    "a discovery run of this pipeline on the asset is waiting already", null));
                        }
                    }
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
        return pool.preparedQuery("SELECT DISTINCT tenant_id FROM discovery_requests WHERE state = 'pending' LIMIT $1")
                .execute(Tuple.of(TENANTS_PER_TICK))
                .chain(rows -> {
                    List<UUID> tenants = new ArrayList<>();
                    rows.forEach(r -> tenants.add(r.getUUID("tenant_id")));
                    return Multi.createFrom().iterable(tenants)
                            .onItem().transformToUniAndConcatenate(t -> startFor(t)
                                    .onFailure().invoke(e -> LOG.warnf("discovery runs of tenant %s: %s", t, e.toString()))
                                    .onFailure().recoverWithItem(0))
                            .collect().asList()
                            .map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
                });
    }

    private record Pending(long id, UUID pipelineId, String key, UUID assetId) {
    }

    private Uni<Integer> startFor(UUID tenant) {
        int budget = config.discovery().maxRunsPerWindow();
        return pool.preparedQuery("SELECT id, pipeline_id, trigger_key, asset_id FROM discovery_requests "
                        + "WHERE tenant_id = $1 AND state = 'pending' ORDER BY id LIMIT $2")
                .execute(Tuple.of(tenant, budget))
                .chain(rows -> {
                    List<Pending> peeked = new ArrayList<>();
                    rows.forEach(r -> peeked.add(new Pending(r.getLong("id"), r.getUUID("pipeline_id"),
                            r.getString("trigger_key"), r.getUUID("asset_id"))));
                    // the templates and assets are read before the transaction that decides
                    Set<UUID> pipelines = new HashSet<>();
                    peeked.forEach(p -> pipelines.add(p.pipelineId()));
                    Map<UUID, PinnedTemplate> pinned = new HashMap<>();
                    return Multi.createFrom().iterable(pipelines)
                            .onItem().transformToUniAndConcatenate(id -> launcher.pinActive(tenant, id)
                                    .invoke(p -> pinned.put(id, p))
                                    .onFailure().recoverWithNull())
                            .collect().last()
                            .chain(() -> AssetRows.snapshots(pool, tenant, peeked.stream().map(Pending::assetId)
                                    .distinct().toArray(UUID[]::new)))
                            .chain(assets -> decide(tenant, peeked, pinned, assets));
                });
    }

    private Uni<Integer> decide(UUID tenant, List<Pending> peeked, Map<UUID, PinnedTemplate> pinned,
            Map<UUID, Map<String, Object>> assets) {
        List<Outcome> recorded = new ArrayList<>();
        long windowSeconds = config.discovery().window().toSeconds();
        long debounceSeconds = config.discovery().debounce().toSeconds();
        int max = config.discovery().maxRunsPerWindow();
        return launcher.<Integer>launch(tx -> tx.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                        .execute(Tuple.of("discovery:" + tenant))
                        .chain(() -> tx.preparedQuery("SELECT count(*) AS n FROM discovery_requests WHERE tenant_id = $1 "
                                        + "AND state = 'started' AND decided_at > now() - make_interval(secs => $2)")
                                .execute(Tuple.of(tenant, (double) windowSeconds)))
                        .chain(counted -> {
                            int used = counted.iterator().next().getInteger("n");
                            int left = Math.max(0, max - used);
                            Long[] ids = peeked.stream().limit(left).map(Pending::id).toArray(Long[]::new);
                            return tx.preparedQuery("SELECT d.id, d.pipeline_id, d.trigger_key, d.asset_id, EXISTS ("
                                            + "SELECT 1 FROM discovery_requests s WHERE s.pipeline_id = d.pipeline_id "
                                            + "AND s.asset_id = d.asset_id AND s.state = 'started' "
                                            + "AND s.decided_at > now() - make_interval(secs => $2)) AS recent "
                                            + "FROM discovery_requests d WHERE d.id = ANY($1) AND d.state = 'pending' "
                                            + "ORDER BY d.id FOR UPDATE OF d")
                                    .execute(Tuple.of(ids, (double) debounceSeconds))
                                    .chain(chosen -> startChosen(tx, tenant, chosen, pinned, assets, recorded))
                                    // held only when the budget is what stops them: requests another replica
                                    // added after this tick read its own wait for the next tick, unrecorded
                                    .chain(launch -> (used + launch.runs().size() >= max
                                            ? hold(tx, tenant, ids, max, recorded)
                                            : Uni.createFrom().voidItem()).replaceWith(launch));
                        }))
                .invoke(() -> outcomes.count(recorded));
    }

    private Uni<Launch<Integer>> startChosen(SqlConnection tx, UUID tenant, Iterable<Row> chosen,
            Map<UUID, PinnedTemplate> pinned, Map<UUID, Map<String, Object>> assets, List<Outcome> recorded) {
        List<NewRun> runs = new ArrayList<>();
        List<Tuple> decisions = new ArrayList<>();
        for (Row r : chosen) {
            long id = r.getLong("id");
            UUID pipelineId = r.getUUID("pipeline_id");
            UUID assetId = r.getUUID("asset_id");
            String key = r.getString("trigger_key");
            Hook hook = new Hook(tenant, pipelineId, key, null);
            PinnedTemplate template = pinned.get(pipelineId);
            Map<String, Object> asset = assets.get(assetId);
            if (r.getBoolean("recent")) {
                String why = "the pipeline ran on this asset for a discovery within the last "
                        + config.discovery().debounce().toMinutes() + " min (debounce)";
                decisions.add(Tuple.of(id, "debounced", null, why));
                recorded.add(outcome(hook, assetId, "debounced", why, null));
            } else if (template == null || asset == null) {
                String why = template == null ? "the pipeline is gone or deactivated" : "the asset is gone";
                decisions.add(Tuple.of(id, "skipped", null, why));
                recorded.add(outcome(hook, assetId, "skipped", why, null));
            } else {
                String name = template.name();
                NewRun run = launcher.prepare(tenant, template, assetId, asset, Map.of(), "normal",
                        new RunOrigin("asset_discovery", "discovery:" + name + "/" + key, null));
                runs.add(run);
                decisions.add(Tuple.of(id, "started", run.state().id, null));
                recorded.add(outcome(hook, assetId, "started", null, run.state().id));
            }
        }
        if (decisions.isEmpty()) {
            return Uni.createFrom().item(Launch.nothing(0));
        }
        return tx.preparedQuery("UPDATE discovery_requests SET state = $2, run_id = $3, reason = $4, decided_at = now() "
                        + "WHERE id = $1")
                .executeBatch(decisions)
                .chain(() -> outcomes.record(tx, recorded))
                .replaceWith(() -> Launch.of(runs, runs.size()));
    }

    /**
     * Records once, for each request left waiting, that the budget holds it back: called only when
     * this decision used the budget up (a request not read by this tick, added since by another
     * replica, is otherwise simply taken by the next tick).
     */
    private Uni<Void> hold(SqlConnection tx, UUID tenant, Long[] chosen, int max, List<Outcome> recorded) {
        return tx.preparedQuery("UPDATE discovery_requests SET held = TRUE WHERE tenant_id = $1 AND state = 'pending' "
                        + "AND NOT held AND id <> ALL($2) RETURNING pipeline_id, trigger_key, asset_id")
                .execute(Tuple.of(tenant, chosen))
                .chain(rows -> {
                    List<Outcome> held = new ArrayList<>();
                    String why = "the tenant's discovery budget (" + max + " runs per "
                            + config.discovery().window().toSeconds() + " s) is used up; it starts when the budget allows";
                    rows.forEach(r -> held.add(outcome(new Hook(tenant, r.getUUID("pipeline_id"), r.getString("trigger_key"),
                            null), r.getUUID("asset_id"), "held", why, null)));
                    recorded.addAll(held);
                    return outcomes.record(tx, held);
                });
    }

    private static Outcome outcome(Hook h, UUID assetId, String outcome, String reason, UUID runId) {
        return new Outcome(h.tenantId(), h.pipelineId(), h.key(), "asset_discovery", null, assetId, outcome, reason, runId);
    }
}
