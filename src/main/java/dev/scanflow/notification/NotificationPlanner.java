package dev.scanflow.notification;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.engine.EventOutbox;
import dev.scanflow.engine.RunReads;
import dev.scanflow.finding.FindingQueries;
import dev.scanflow.finding.RunFindingCounts;
import dev.scanflow.pipeline.TemplateSettings;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
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

    /** Events planned per transaction. */
    static final int BATCH = 100;

    private final Pool pool;
    private final EventOutbox events;
    private final RunReads runs;
    private final TemplateSettings templates;
    private final ScanflowConfig config;
    private final ObjectMapper mapper;
    private final FindingQueries findings;

    public NotificationPlanner(Pool pool, EventOutbox events, RunReads runs, TemplateSettings templates,
            ScanflowConfig config, ObjectMapper mapper, FindingQueries findings) {
        this.findings = findings;
        this.pool = pool;
        this.events = events;
        this.runs = runs;
        this.templates = templates;
        this.config = config;
        this.mapper = mapper;
    }

    @Scheduled(every = "${scanflow.notifications.tick:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return plan().onFailure().invoke(e -> LOG.warnf("notification planning failed: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * One pass: the number of deliveries planned. The events are locked (the engine's
     * {@link EventOutbox#lockUnnotified}), their pinned versions' settings read, the deliveries
     * inserted and the events marked, all in one transaction.
     */
    public Uni<Integer> plan() {
        return pool.withTransaction(tx -> events.lockUnnotified(tx, EVENTS, BATCH)
                .chain(batch -> templates.of(tx, batch.stream().map(EventOutbox.Unnotified::templateId).distinct().toList())
                        .chain(settings -> {
                            Uni<Integer> chain = Uni.createFrom().item(0);
                            for (EventOutbox.Unnotified e : batch) {
                                chain = chain.chain(n -> planOne(tx, e, settings.getOrDefault(e.templateId(), Map.of()))
                                        .map(m -> n + m));
                            }
                            return chain.call(() -> events.markNotified(tx,
                                    batch.stream().map(EventOutbox.Unnotified::id).toList()));
                        })));
    }

    private Uni<Integer> planOne(SqlConnection tx, EventOutbox.Unnotified event, Map<String, Object> settings) {
        String type = event.type();
        String status = type.substring("pipeline.run.".length());
        Map<String, Object> notification = settings.get("notification") instanceof Map<?, ?> m
                ? mapper.convertValue(m, Map.class) : Map.of();
        @SuppressWarnings("unchecked")
        List<String> wanted = notification.get("channels") instanceof List<?> l ? (List<String>) l : List.of();
        if (wanted.isEmpty() || !NotificationRules.wanted(status, notification)) {
            return Uni.createFrom().item(0);
        }
        UUID tenant = event.tenantId();
        UUID runId = event.runId();
        Uni<Boolean> changed = Boolean.TRUE.equals(notification.get("on_state_change")) && !"started".equals(status)
                ? stateChanged(tx, runId, event.pipelineId(), event.assetId(), status)
                : Uni.createFrom().item(true);
        Object least = notification.get("on_new_findings");
        return changed.chain(send -> !send ? Uni.createFrom().item(0)
                : findings.countsOf(tx, runId).chain(counts -> summary(tx, runId, counts)).chain(summary -> {
                    if ("completed".equals(status) && least instanceof String level && !newEnough(summary, level)) {
                        return Uni.createFrom().item(0);
                    }
                    return channels(tx, tenant, wanted).chain(channels -> channels.isEmpty() ? Uni.createFrom().item(0)
                            : insert(tx, tenant, runId, type, summary, channels));
                }));
    }

    /**
     * Whether the run found new findings at or above the level. A run whose workers sent counts
     * only cannot say what is new: all its findings count (announced rather than missed).
     */
    private static boolean newEnough(RunSummary summary, String level) {
        return NotificationRules.newEnough(summary.newFindingsBySeverity() != null ? summary.newFindingsBySeverity()
                : summary.findingsBySeverity(), level);
    }

    /** Only the first failure and the recovery: this run's outcome differs from the previous run's on the asset. */
    private Uni<Boolean> stateChanged(SqlConnection tx, UUID runId, UUID pipelineId, UUID assetId, String status) {
        return runs.previousOutcome(tx, runId, pipelineId, assetId)
                .map(previous -> {
                    boolean failed = !"completed".equals(status);
                    if (previous == null) {
                        return failed; // the first run: news only when it failed
                    }
                    boolean previousFailed = !"completed".equals(previous);
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

    private Uni<RunSummary> summary(SqlConnection tx, UUID runId, RunFindingCounts changes) {
        return runs.report(tx, runId).map(r -> {
            Map<String, Integer> bySeverity = new LinkedHashMap<>();
            List<RunSummary.Step> list = new ArrayList<>();
            for (RunReads.StepReport s : r.steps()) {
                Map<String, Integer> sev = severities(s.findingsBySeverity());
                sev.forEach((k, v) -> bySeverity.merge(k, v, Integer::sum));
                list.add(new RunSummary.Step(s.key(), s.name(), s.status(), s.findingsCount(), sev, s.skipReason(),
                        s.errorCode(), s.errorMessage()));
            }
            Map<String, Object> asset = r.asset();
            Long duration = r.startedAt() != null && r.completedAt() != null
                    ? Duration.between(r.startedAt(), r.completedAt()).toSeconds() : null;
            return new RunSummary(runId.toString(), r.pipelineId().toString(), r.pipelineName(), r.pipelineVersion(),
                    String.valueOf(asset.getOrDefault("name", "")), String.valueOf(asset.getOrDefault("type", "")),
                    r.status(), r.triggerType(), r.triggeredBy(), duration, r.totalFindings(), ordered(bySeverity),
                    r.errorMessage(), list, link(runId), r.filedFindings() ? changes.newFindingsCount() : null,
                    r.filedFindings() ? changes.fixedFindingsCount() : null,
                    r.filedFindings() ? ordered(changes.newFindingsBySeverity()) : null,
                    r.filedFindings() ? changes.sentence() : null);
        });
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
