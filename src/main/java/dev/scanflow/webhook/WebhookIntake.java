package dev.scanflow.webhook;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.asset.AssetRows;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.StorableStrings;
import dev.scanflow.condition.ConditionCache;
import dev.scanflow.condition.ConditionException;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.engine.RunStartPlan;
import dev.scanflow.pipeline.PinnedTemplate;
import dev.scanflow.pipeline.definition.TriggerSpec;
import dev.scanflow.run.RunLauncher;
import dev.scanflow.run.RunOrigin;
import dev.scanflow.trigger.TriggerOutcomes;
import dev.scanflow.trigger.TriggeredStarts;
import dev.scanflow.webhook.WebhookDeliveries.Delivery;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A webhook delivery, from its bytes to its runs: authenticated by the pipeline's secret
 * ({@link WebhookSignatures}; none set = refused), read, matched to the pipeline's webhook
 * triggers by event, checked against each trigger's CEL filter, its repository found among the
 * tenant's assets, and started through the run launcher. A replay (same delivery id, or same
 * body within the replay window) starts nothing and gets the first delivery's runs. Every
 * delivery is logged with its outcome.
 */
@ApplicationScoped
public class WebhookIntake {

    private static final Pattern EVENT = Pattern.compile("^[a-z0-9][a-z0-9_.:-]{0,99}$");

    private final WebhookSecrets secrets;
    private final WebhookDeliveries deliveries;
    private final RunLauncher launcher;
    private final TriggeredStarts starts;
    private final TriggerOutcomes outcomes;
    private final ConditionCache filters;
    private final Pool pool;
    private final ObjectMapper mapper;
    private final ScanflowConfig config;
    private final MeterRegistry metrics;

    public WebhookIntake(WebhookSecrets secrets, WebhookDeliveries deliveries, RunLauncher launcher,
            TriggeredStarts starts, TriggerOutcomes outcomes, WebhookBeans.PayloadFilters filters, Pool pool,
            ObjectMapper mapper, ScanflowConfig config, MeterRegistry metrics) {
        this.secrets = secrets;
        this.deliveries = deliveries;
        this.launcher = launcher;
        this.starts = starts;
        this.outcomes = outcomes;
        this.filters = filters.cache();
        this.pool = pool;
        this.mapper = mapper;
        this.config = config;
        this.metrics = metrics;
    }

    /** The answer to the sender: the delivery as logged. */
    @RegisterForReflection
    public record Answer(UUID delivery, String event, String outcome, String reason, List<UUID> runIds,
            boolean replayed, UUID firstDelivery) {

        static Answer of(Delivery d) {
            return new Answer(d.id(), d.event(), d.outcome(), d.reason(), d.runIds(), "replayed".equals(d.outcome()),
                    d.firstDelivery());
        }
    }

    /** A webhook trigger of the pipeline's latest version, with its key. */
    private record Hook(String key, TriggerSpec trigger) {
    }

    /** What was read before the deciding transaction. */
    private record Read(UUID tenant, UUID pipelineId, WebhookSignatures.Verified verified, String event, String bodyHash,
            JsonNode body, PushPayload push, PinnedTemplate pinned, List<Hook> hooks,
            Map<String, Object> asset) {
    }

    public Uni<Answer> receive(UUID pipelineId, Function<String, String> headers, byte[] body, String contentType) {
        if (body.length > config.webhooks().maxBodyBytes()) {
            metrics.counter("scanflow.webhooks.refused", "reason", "too_large").increment();
            return Uni.createFrom().failure(ApiException.tooLarge(config.webhooks().maxBodyBytes(), "SCANFLOW_WEBHOOKS_MAX_BODY_BYTES"));
        }
        Instant now = Instant.now();
        return secrets.valid(pipelineId, now)
                .map(valid -> authenticate(pipelineId, valid, headers, body, contentType, now))
                .chain(read -> launcher.pinActive(read.tenant(), pipelineId).map(pinned -> withPipeline(read, pinned)))
                .chain(this::findAsset)
                .chain(this::decide)
                .invoke(a -> metrics.counter("scanflow.webhooks.deliveries", "outcome", a.outcome()).increment())
                .onFailure(ApiException.class).invoke(e -> metrics.counter("scanflow.webhooks.refused", "status",
                        String.valueOf(((ApiException) e).status())).increment());
    }

    private Read authenticate(UUID pipelineId, WebhookSecrets.Valid valid, Function<String, String> headers, byte[] body,
            String contentType, Instant now) {
        if (valid == null || valid.secrets().isEmpty()) {
            // fail closed: without a secret nothing is accepted (an unknown pipeline looks the same)
            throw refused(401, null, "no webhook secret is set for pipeline " + pipelineId + ": an admin creates one "
                    + "with POST /api/v1/pipelines/" + pipelineId + "/webhook-secret");
        }
        WebhookSignatures.Verified verified;
        try {
            verified = WebhookSignatures.verify(headers, body, valid.secrets(), now, config.webhooks().timestampTolerance());
        } catch (WebhookSignatures.Refused e) {
            throw refused(e.status(), e.header(), e.getMessage());
        }
        if (contentType != null && !contentType.toLowerCase().startsWith("application/json")
                && !contentType.toLowerCase().contains("+json")) {
            throw new ApiException(415, "unsupported-media-type", "Unsupported media type", "a delivery is JSON: send "
                    + "Content-Type: application/json (GitHub: 'Content type: application/json'), not " + contentType,
                    List.of());
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.malformed("the delivery is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.malformed("the delivery could not be read: " + e.getMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw ApiException.malformed("the delivery must be a JSON object");
        }
        List<dev.scanflow.domain.ValidationError> unstorable = StorableStrings.problems(tree);
        if (!unstorable.isEmpty()) {
            throw ApiException.invalid("Invalid delivery", unstorable);
        }
        String event = verified.event();
        if (event == null) {
            JsonNode type = tree.path("type");
            if (!type.isTextual()) {
                throw ApiException.invalid("$.type", "a Standard Webhooks body names its event in 'type'");
            }
            event = type.textValue();
        }
        if (!EVENT.matcher(event).matches()) {
            String where = switch (verified.scheme()) {
                case WebhookSignatures.GITHUB -> "X-GitHub-Event";
                case WebhookSignatures.GITLAB -> "X-Gitlab-Event";
                default -> "$.type";
            };
            throw refused(400, where, where + ": '" + clip(event)
                    + "' is not an event name (lowercase letters, digits, '_', '.', ':', '-')");
        }
        String hash = HexFormat.of().formatHex(WebhookSignatures.sha256(body));
        return new Read(valid.tenantId(), pipelineId, verified, event, hash, tree,
                PushPayload.read(verified.scheme(), tree), null, List.of(), null);
    }

    private static Read withPipeline(Read r, PinnedTemplate pinned) {
        List<Hook> hooks = new ArrayList<>();
        List<TriggerSpec> triggers = pinned.definition().triggers();
        for (int i = 0; i < triggers.size(); i++) {
            TriggerSpec t = triggers.get(i);
            if (TriggerSpec.WEBHOOK.equals(t.type()) && t.events().contains(r.event())) {
                hooks.add(new Hook(t.key(i), t));
            }
        }
        return new Read(r.tenant(), r.pipelineId(), r.verified(), r.event(), r.bodyHash(), r.body(), r.push(), pinned,
                hooks, null);
    }

    /** The repository asset the delivery is about: its URL in any of the payload's forms. */
    private Uni<Read> findAsset(Read r) {
        Set<String> wanted = new LinkedHashSet<>();
        r.push().repositoryUrls().forEach(u -> {
            String c = RepositoryUrls.canonical(u);
            if (c != null) {
                wanted.add(c);
            }
        });
        JsonNode assetId = r.body().path("data").path("asset_id");
        if (r.hooks().isEmpty() || wanted.isEmpty() && !assetId.isTextual()) {
            return Uni.createFrom().item(r);
        }
        Uni<List<Map<String, Object>>> candidates;
        if (WebhookSignatures.STANDARD.equals(r.verified().scheme()) && assetId.isTextual()) {
            UUID id;
            try {
                id = UUID.fromString(assetId.textValue());
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("$.data.asset_id", "is not an asset id (a UUID)");
            }
            candidates = AssetRows.snapshots(pool, r.tenant(), new UUID[] {id}).map(found -> List.copyOf(found.values()));
        } else {
            candidates = AssetRows.repositoriesLike(pool, r.tenant(),
                    wanted.stream().map(RepositoryUrls::tail).distinct().toList());
        }
        return candidates.map(found -> {
            for (Map<String, Object> asset : found) {
                String c = RepositoryUrls.canonical((String) asset.get("url"));
                if (assetId.isTextual() && WebhookSignatures.STANDARD.equals(r.verified().scheme()) || wanted.contains(c)) {
                    return new Read(r.tenant(), r.pipelineId(), r.verified(), r.event(), r.bodyHash(), r.body(), r.push(),
                            r.pinned(), r.hooks(), asset);
                }
            }
            return r;
        });
    }

    private Uni<Answer> decide(Read r) {
        Map<String, Object> payload = mapper.convertValue(r.body(), PAYLOAD);
        List<List<TriggerOutcomes.Outcome>> recorded = new ArrayList<>(List.of(List.of()));
        return launcher.start(() -> deliveries.replayOf(r.pipelineId(), r.verified().deliveryId(), r.bodyHash())
                        .chain(first -> first != null ? Uni.createFrom().item(replay(r, first)) : plan(r, payload))
                        .invoke(planned -> recorded.set(0, planned.answer().outcomes())))
                .map(Decided::answer)
                .invoke(() -> outcomes.count(recorded.get(0)));
    }

    /** The answer and the outcomes behind it. */
    private record Decided(Answer answer, List<TriggerOutcomes.Outcome> outcomes) {
    }

    private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> PAYLOAD =
            new com.fasterxml.jackson.core.type.TypeReference<>() {
            };

    private static RunLauncher.Planned<Decided> replay(Read r, Delivery first) {
        Delivery d = new Delivery(UUID.randomUUID(), first.trigger(), r.verified().deliveryId(), r.event(),
                r.verified().scheme(), "replayed", "a replay of delivery " + first.id() + " ("
                        + (first.deliveryId() != null && first.deliveryId().equals(r.verified().deliveryId())
                                ? "the same delivery id" : "the same body") + "): nothing started",
                first.runIds(), first.id(), null);
        return new RunLauncher.Planned<>(RunStartPlan.builder()
                .record(WebhookDeliveries.log(r.tenant(), r.pipelineId(), d, r.bodyHash())).build(),
                new Decided(Answer.of(d), List.of()));
    }

    private Uni<RunLauncher.Planned<Decided>> plan(Read r, Map<String, Object> payload) {
        UUID id = UUID.randomUUID();
        RunStartPlan.Builder plan = RunStartPlan.builder().guard(WebhookDeliveries.serialize(r.pipelineId()))
                .guard(deliveries.stillNew(r.pipelineId(), r.verified().deliveryId(), r.bodyHash()));
        if (r.hooks().isEmpty()) {
            List<String> events = new ArrayList<>();
            r.pinned().definition().triggers().stream().filter(t -> TriggerSpec.WEBHOOK.equals(t.type()))
                    .forEach(t -> events.addAll(t.events()));
            Delivery d = new Delivery(id, null, r.verified().deliveryId(), r.event(), r.verified().scheme(), "ignored",
                    events.isEmpty() ? "the pipeline has no webhook trigger"
                            : "event '" + r.event() + "' is not one of the pipeline's webhook events ("
                                    + String.join(", ", new LinkedHashSet<>(events)) + ")", List.of(), null, null);
            return Uni.createFrom().item(new RunLauncher.Planned<>(
                    plan.record(WebhookDeliveries.log(r.tenant(), r.pipelineId(), d, r.bodyHash())).build(),
                    new Decided(Answer.of(d), List.of())));
        }
        List<TriggerOutcomes.Outcome> recorded = new ArrayList<>();
        Set<UUID> busy = new java.util.HashSet<>();
        Map<String, Object> context = sanitized(r.push().context());
        String user = context.get("user") instanceof String u ? u : null;
        return Multi.createFrom().iterable(r.hooks())
                .onItem().transformToUniAndConcatenate(hook -> {
                    var source = new TriggeredStarts.Source(r.tenant(), r.pipelineId(), hook.key(), "webhook", null,
                            hook.trigger().overlap(), new RunOrigin("webhook", "webhook:" + r.pinned().name() + "/"
                                    + hook.key(), user), context);
                    String filtered = filter(hook.trigger(), payload, r.event());
                    if (filtered != null) {
                        recorded.add(TriggeredStarts.outcome(source, null, "filtered", filtered, null));
                        return Uni.createFrom().voidItem();
                    }
                    if (r.asset() == null) {
                        recorded.add(TriggeredStarts.outcome(source, null, "unmatched", unmatched(r), null));
                        return Uni.createFrom().voidItem();
                    }
                    return starts.plan(r.pinned(), source, List.of(r.asset()), busy, plan).invoke(recorded::addAll)
                            .replaceWithVoid();
                })
                .collect().last()
                .map(v -> {
                    List<UUID> runIds = plan.runs().stream().map(n -> n.state().id).toList();
                    TriggerOutcomes.Outcome decisive = recorded.stream().filter(o -> "started".equals(o.outcome())
                            || "replaced".equals(o.outcome())).findFirst().orElse(recorded.get(0));
                    String outcome = runIds.isEmpty() ? decisive.outcome() : "started";
                    if ("queued".equals(outcome)) {
                        outcome = "skipped";
                    }
                    Delivery d = new Delivery(id, decisive.triggerKey(), r.verified().deliveryId(), r.event(),
                            r.verified().scheme(), outcome, runIds.isEmpty() ? decisive.reason() : null, runIds, null, null);
                    plan.records(TriggerOutcomes.insert(recorded))
                            .record(WebhookDeliveries.log(r.tenant(), r.pipelineId(), d, r.bodyHash()));
                    return new RunLauncher.Planned<>(plan.build(), new Decided(Answer.of(d), recorded));
                });
    }

    /** Why the trigger's filter let the delivery pass by (null: it passes). */
    private String filter(TriggerSpec trigger, Map<String, Object> payload, String event) {
        if (trigger.filter() == null) {
            return null;
        }
        try {
            return filters.test(trigger.filter(), Map.of("payload", payload, "event", event)) ? null
                    : "the trigger's filter is false for this delivery: " + trigger.filter();
        } catch (ConditionException e) {
            return "the trigger's filter could not be evaluated (" + e.getMessage() + "): " + trigger.filter();
        }
    }

    private static String unmatched(Read r) {
        if (r.push().repositoryUrls().isEmpty()) {
            return "the delivery names no repository (GitHub: repository.clone_url; GitLab: project.git_http_url; "
                    + "Standard Webhooks: data.repository or data.asset_id)";
        }
        return "no repository asset of this tenant has the URL " + clip(r.push().repositoryUrls().get(0))
                + " (clone, SSH and web URLs of one repository match each other)";
    }

    /** Payload text that becomes run context: no NUL, bounded. */
    private static Map<String, Object> sanitized(Map<String, Object> context) {
        Map<String, Object> out = new LinkedHashMap<>();
        context.forEach((k, v) -> out.put(k, clip(String.valueOf(v).replace("\u0000", ""))));
        return out;
    }

    private static String clip(String s) {
        return s.length() > 500 ? s.substring(0, 500) : s;
    }

    private static ApiException refused(int status, String header, String message) {
        return new ApiException(status, status == 401 ? "webhook-unauthenticated" : "invalid-header",
                status == 401 ? "Webhook not authenticated" : "Invalid webhook header", message,
                header == null ? List.of() : List.of(dev.scanflow.domain.ValidationError.at(header, message)));
    }
}
