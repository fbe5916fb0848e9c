package dev.scanflow.webhook;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.asset.AssetRows;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.StorableStrings;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.pipeline.PinnedTemplate;
import dev.scanflow.pipeline.definition.TriggerSpec;
import dev.scanflow.run.RunLauncher;
import dev.scanflow.webhook.WebhookDeliveries.Delivery;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
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
 * tenant's assets; then {@link DeliveryPlanner} decides what it starts.
 */
@ApplicationScoped
public class WebhookIntake {

    private static final Pattern EVENT = Pattern.compile("^[a-z0-9][a-z0-9_.:-]{0,99}$");

    private final WebhookSecrets secrets;
    private final DeliveryPlanner planner;
    private final RunLauncher launcher;
    private final Pool pool;
    private final ObjectMapper mapper;
    private final ScanflowConfig config;
    private final MeterRegistry metrics;

    public WebhookIntake(WebhookSecrets secrets, DeliveryPlanner planner, RunLauncher launcher, Pool pool,
            ObjectMapper mapper, ScanflowConfig config, MeterRegistry metrics) {
        this.secrets = secrets;
        this.planner = planner;
        this.launcher = launcher;
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
    record Hook(String key, TriggerSpec trigger) {
    }

    /** What was read before the deciding transaction. */
    record Read(UUID tenant, UUID pipelineId, WebhookSignatures.Verified verified, String event, String bodyHash,
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
                .chain(planner::decide)
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

    static String clip(String s) {
        return s.length() > 500 ? s.substring(0, 500) : s;
    }

    private static ApiException refused(int status, String header, String message) {
        return new ApiException(status, status == 401 ? "webhook-unauthenticated" : "invalid-header",
                status == 401 ? "Webhook not authenticated" : "Invalid webhook header", message,
                header == null ? List.of() : List.of(dev.scanflow.domain.ValidationError.at(header, message)));
    }
}
