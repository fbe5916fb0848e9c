package dev.scanflow.trigger;

import static dev.scanflow.common.PgValues.odt;

import dev.scanflow.engine.NewRun;
import dev.scanflow.pipeline.PinnedTemplate;
import dev.scanflow.run.RunLauncher;
import dev.scanflow.run.RunOrigin;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A trigger's runs for a set of assets, decided inside the launching transaction: where the
 * pipeline's previous run on an asset is still active, the trigger's {@code overlap} rule says
 * skip (record why), allow (start anyway), queue (at most one waiting; started when the active
 * run ends) or replace (cancel the old run, start the new one). Every decision is an outcome.
 */
@ApplicationScoped
public class TriggeredStarts {

    private final RunLauncher launcher;
    private final TriggerOutcomes outcomes;

    public TriggeredStarts(RunLauncher launcher, TriggerOutcomes outcomes) {
        this.launcher = launcher;
        this.outcomes = outcomes;
    }

    /** Who fired: the trigger's key and type, and the nominal fire time (null for webhooks and discovery). */
    public record Source(UUID tenantId, UUID pipelineId, String triggerKey, String triggerType, Instant fireAt,
            String overlap, RunOrigin origin, Map<String, Object> context) {
    }

    /** What to start and cancel, and what was recorded; {@code busy} tracks assets started earlier in the same transaction. */
    public record Planned(List<NewRun> runs, List<UUID> cancel, List<TriggerOutcomes.Outcome> outcomes) {

        public List<UUID> runIds() {
            return runs.stream().map(r -> r.state().id).toList();
        }
    }

    /**
     * Decides and records the starts on the assets (snapshots) in {@code tx}. {@code busy}:
     * assets this transaction already started a run on (several fires in one go).
     */
    public Uni<Planned> plan(SqlConnection tx, PinnedTemplate pinned, Source source,
            List<Map<String, Object>> assets, Set<UUID> busy) {
        if (assets.isEmpty()) {
            return Uni.createFrom().item(new Planned(List.of(), List.of(), List.of()));
        }
        UUID[] ids = assets.stream().map(a -> UUID.fromString(String.valueOf(a.get("id")))).toArray(UUID[]::new);
        return tx.preparedQuery("SELECT id, asset_id FROM pipeline_runs WHERE pipeline_id = $1 AND asset_id = ANY($2) "
                        + "AND status IN ('pending', 'running') ORDER BY created_at")
                .execute(Tuple.of(source.pipelineId(), ids))
                .chain(rows -> {
                    Map<UUID, UUID> activeRun = new HashMap<>();
                    rows.forEach(r -> activeRun.put(r.getUUID("asset_id"), r.getUUID("id")));
                    List<NewRun> runs = new ArrayList<>();
                    List<UUID> cancel = new ArrayList<>();
                    List<TriggerOutcomes.Outcome> recorded = new ArrayList<>();
                    List<Uni<Void>> queued = new ArrayList<>();
                    for (Map<String, Object> asset : assets) {
                        UUID assetId = UUID.fromString(String.valueOf(asset.get("id")));
                        UUID active = activeRun.get(assetId);
                        boolean justStarted = busy.contains(assetId);
                        if (active == null && !justStarted || "allow".equals(source.overlap())) {
                            NewRun run = launcher.prepare(source.tenantId(), pinned, assetId, asset, source.context(),
                                    "normal", source.origin());
                            runs.add(run);
                            busy.add(assetId);
                            recorded.add(outcome(source, assetId, "started", null, run.state().id));
                            continue;
                        }
                        String why = active != null ? "run " + active + " of this pipeline on the asset is still active"
                                : "this fire started a run on the asset already";
                        switch (source.overlap()) {
                            case "replace" -> {
                                NewRun run = launcher.prepare(source.tenantId(), pinned, assetId, asset, source.context(),
                                        "normal", source.origin());
                                if (active != null) {
                                    cancel.add(active);
                                }
                                runs.add(run);
                                busy.add(assetId);
                                recorded.add(outcome(source, assetId, "replaced", why + ": cancelled", run.state().id));
                            }
                            case "queue" -> {
                                if (active == null) {
                                    recorded.add(outcome(source, assetId, "skipped", why, null));
                                    continue;
                                }
                                queued.add(tx.preparedQuery("INSERT INTO queued_fires (pipeline_id, asset_id, tenant_id, "
                                                + "trigger_key, trigger_type, fire_at, waiting_for_run, triggered_by, context) "
                                                + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                                                + "ON CONFLICT (pipeline_id, asset_id) DO NOTHING RETURNING 1")
                                        .execute(Tuple.from(Arrays.asList(source.pipelineId(), assetId, source.tenantId(),
                                                source.triggerKey(), source.triggerType(), odt(source.fireAt()), active,
                                                source.origin().triggeredBy(), new JsonObject(source.context()))))
                                        .map(r -> {
                                            recorded.add(r.size() == 1 ? outcome(source, assetId, "queued", why, null)
                                                    : outcome(source, assetId, "skipped", why
                                                            + ", and a fire is queued for it already", null));
                                            return null;
                                        }));
                            }
                            default -> recorded.add(outcome(source, assetId, "skipped", why, null));
                        }
                    }
                    Uni<Void> queue = queued.isEmpty() ? Uni.createFrom().voidItem()
                            : Uni.join().all(queued).andFailFast().replaceWithVoid();
                    return queue.chain(() -> outcomes.record(tx, recorded))
                            .replaceWith(() -> new Planned(runs, cancel, recorded));
                });
    }

    public static TriggerOutcomes.Outcome outcome(Source s, UUID assetId, String outcome, String reason, UUID runId) {
        return new TriggerOutcomes.Outcome(s.tenantId(), s.pipelineId(), s.triggerKey(), s.triggerType(), s.fireAt(),
                assetId, outcome, reason, runId);
    }

    /** Assets a transaction started runs on, for the fires after the first in it. */
    public static Set<UUID> none() {
        return new HashSet<>();
    }
}
