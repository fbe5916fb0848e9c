package dev.scanflow.notification;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.common.PgValues;
import dev.scanflow.config.ScanflowConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Turns runs' start and end events into deliveries. Such an event is written in the transaction
 * that starts or ends the run; here, in one transaction per batch, the due deliveries are inserted (one per
 * run, event and channel: the idempotency key) and the events marked notified. A crash in between
 * leaves the events unmarked: the next pass plans them again and the key keeps them single.
 */
@ApplicationScoped
public class NotificationPlanner {

    private static final Logger LOG = Logger.getLogger(NotificationPlanner.class);
    static final List<String> EVENTS = List.of("pipeline.run.started", "pipeline.run.completed", "pipeline.run.failed",
            "pipeline.run.cancelled", "pipeline.run.timeout");

    private final Pool pool;
    private final ScanflowConfig config;
    private final ObjectMapper mapper;

    public NotificationPlanner(Pool pool, ScanflowConfig config, ObjectMapper mapper) {
        this.pool = pool;
        this.config = config;
        this.mapper = mapper;
    }

    @Scheduled(every = "${scanflow.notifications.tick:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return plan().onFailure().invoke(e -> LOG.warnf("notification planning failed: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One pass: the number of deliveries planned. */
    public Uni<Integer> plan() {
        return pool.withTransaction(tx -> tx.preparedQuery("SELECT e.id, e.run_id, e.type, r.tenant_id, r.pipeline_id, "
                                + "r.asset_id, t.settings FROM run_events e JOIN pipeline_runs r ON r.id = e.run_id "
                                + "JOIN pipeline_templates t ON t.id = r.template_id WHERE e.notified_at IS NULL "
                                + "AND e.type = ANY($1) ORDER BY e.seq LIMIT 100 FOR UPDATE OF e SKIP LOCKED")
                .execute(Tuple.of(EVENTS.toArray(String[]::new)))
                .chain(rows -> {
                    List<Row> events = new ArrayList<>();
                    rows.forEach(events::add);
                    Uni<Integer> chain = Uni.createFrom().item(0);
                    for (Row e : events) {
                        chain = chain.chain(n -> planOne(tx, e).map(m -> n + m));
                    }
                    return chain.call(() -> events.isEmpty() ? Uni.createFrom().voidItem()
                            : tx.preparedQuery("UPDATE run_events SET notified_at = now() WHERE id = ANY($1)")
                                    .execute(Tuple.of(events.stream().map(r -> r.getUUID("id")).toArray(UUID[]::new)))
                                    .replaceWithVoid());
                }));
    }

    private Uni<Integer> planOne(SqlConnection tx, Row event) {
        String type = event.getString("type");
        String status = type.substring("pipeline.run.".length());
        Map<String, Object> settings = PgValues.json(event, "settings");
        Map<String, Object> notification = settings.get("notification") instanceof Map<?, ?> m
                ? mapper.convertValue(m, Map.class) : Map.of();
        @SuppressWarnings("unchecked")
        List<String> wanted = notification.get("channels") instanceof List<?> l ? (List<String>) l : List.of();
        if (wanted.isEmpty() || !NotificationRules.wanted(status, notification)) {
            return Uni.createFrom().item(0);
        }
        UUID tenant = event.getUUID("tenant_id");
        UUID runId = event.getUUID("run_id");
        Uni<Boolean> changed = Boolean.TRUE.equals(notification.get("on_state_change")) && !"started".equals(status)
                ? stateChanged(tx, runId, event.getUUID("pipeline_id"), event.getUUID("asset_id"), status)
                : Uni.createFrom().item(true);
        return changed.chain(send -> !send ? Uni.createFrom().item(0)
                : channels(tx, tenant, wanted).chain(channels -> channels.isEmpty() ? Uni.createFrom().item(0)
                        : summary(tx, runId).chain(summary -> insert(tx, tenant, runId, type, summary, channels))));
    }

    /** Only the first failure and the recovery: this run's outcome differs from the previous run's on the asset. */
    private Uni<Boolean> stateChanged(SqlConnection tx, UUID runId, UUID pipelineId, UUID assetId, String status) {
        return tx.preparedQuery("SELECT status FROM pipeline_runs WHERE pipeline_id = $1 AND asset_id = $2 AND id <> $3 "
                        + "AND status IN ('completed', 'failed', 'timeout') AND completed_at <= "
                        + "(SELECT completed_at FROM pipeline_runs WHERE id = $3) ORDER BY completed_at DESC LIMIT 1")
                .execute(Tuple.of(pipelineId, assetId, runId))
                .map(rows -> {
                    boolean failed = !"completed".equals(status);
                    if (!rows.iterator().hasNext()) {
                        return failed; // the first run: news only when it failed
                    }
                    boolean previousFailed = !"completed".equals(rows.iterator().next().getString("status"));
                    return failed != previousFailed;
                });
    }

    private record Channel(UUID id, String name, String type) {
    }

    /** Names of kinds (every channel of that kind) or of channels; channels deleted since are left out. */
    private Uni<List<Channel>> channels(SqlConnection tx, UUID tenant, List<String> wanted) {
        return tx.preparedQuery("SELECT id, name, type FROM notification_channels WHERE tenant_id = $1 "
                        + "AND (type = ANY($2) OR name = ANY($2)) ORDER BY name")
                .execute(Tuple.of(tenant, wanted.toArray(String[]::new)))
                .map(rows -> {
                    List<Channel> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Channel(r.getUUID("id"), r.getString("name"), r.getString("type"))));
                    return out;
                });
    }

    private Uni<RunSummary> summary(SqlConnection tx, UUID runId) {
        return tx.preparedQuery("SELECT r.id, r.pipeline_id, r.pipeline_name, r.pipeline_version, r.asset, r.status, "
                        + "r.trigger_type, r.triggered_by, r.total_findings, r.error_message, r.started_at, r.completed_at "
                        + "FROM pipeline_runs r WHERE r.id = $1")
                .execute(Tuple.of(runId))
                .chain(runs -> tx.preparedQuery("SELECT step_key, name, status, findings_count, findings_by_severity, "
                                + "skip_reason, error_code, error_message FROM step_runs WHERE run_id = $1 "
                                + "ORDER BY step_order, step_key")
                        .execute(Tuple.of(runId))
                        .map(steps -> {
                            Row r = runs.iterator().next();
                            Map<String, Integer> bySeverity = new LinkedHashMap<>();
                            List<RunSummary.Step> list = new ArrayList<>();
                            steps.forEach(s -> {
                                Map<String, Integer> sev = severities(PgValues.jsonOrNull(s, "findings_by_severity"));
                                sev.forEach((k, v) -> bySeverity.merge(k, v, Integer::sum));
                                list.add(new RunSummary.Step(s.getString("step_key"), s.getString("name"),
                                        s.getString("status"), s.getInteger("findings_count"), sev, s.getString("skip_reason"),
                                        s.getString("error_code"), s.getString("error_message")));
                            });
                            Map<String, Object> asset = PgValues.json(r, "asset");
                            Instant started = PgValues.instant(r, "started_at");
                            Instant completed = PgValues.instant(r, "completed_at");
                            Long duration = started != null && completed != null
                                    ? Duration.between(started, completed).toSeconds() : null;
                            return new RunSummary(runId.toString(), r.getUUID("pipeline_id").toString(),
                                    r.getString("pipeline_name"), r.getInteger("pipeline_version"),
                                    String.valueOf(asset.getOrDefault("name", "")), String.valueOf(asset.getOrDefault("type", "")),
                                    r.getString("status"), r.getString("trigger_type"), r.getString("triggered_by"), duration,
                                    r.getInteger("total_findings"), ordered(bySeverity), r.getString("error_message"), list,
                                    link(runId));
                        }));
    }

    String link(UUID runId) {
        String base = config.publicUrl().endsWith("/") ? config.publicUrl().substring(0, config.publicUrl().length() - 1)
                : config.publicUrl();
        return base + "/api/v1/pipeline-runs/" + runId;
    }

    private Uni<Integer> insert(SqlConnection tx, UUID tenant, UUID runId, String event, RunSummary summary,
            List<Channel> channels) {
        OffsetDateTime giveUp = OffsetDateTime.now(ZoneOffset.UTC).plus(config.notifications().giveUpAfter());
        @SuppressWarnings("unchecked")
        JsonObject message = new JsonObject(mapper.convertValue(summary, Map.class));
        List<Tuple> rows = new ArrayList<>();
        Set<UUID> seen = new LinkedHashSet<>();
        for (Channel c : channels) {
            if (seen.add(c.id())) {
                rows.add(Tuple.tuple(List.of(UUID.randomUUID(), tenant, runId, event, c.id(), c.name(), c.type(),
                        NotificationRules.idempotencyKey(runId, event, c.id()), giveUp, message)));
            }
        }
        return tx.preparedQuery("INSERT INTO notification_deliveries (id, tenant_id, run_id, event, channel_id, channel_name, "
                        + "channel_type, idempotency_key, give_up_at, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                        + "ON CONFLICT (idempotency_key) DO NOTHING")
                .executeBatch(rows)
                .map(r -> rows.size());
    }

    private static Map<String, Integer> severities(Map<String, Object> raw) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (raw != null) {
            raw.forEach((k, v) -> out.put(k, v instanceof Number n ? n.intValue() : 0));
        }
        return ordered(out);
    }

    private static Map<String, Integer> ordered(Map<String, Integer> counts) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String s : List.of("critical", "high", "medium", "low", "info")) {
            if (counts.containsKey(s)) {
                out.put(s, counts.get(s));
            }
        }
        counts.forEach(out::putIfAbsent);
        return out;
    }
}
