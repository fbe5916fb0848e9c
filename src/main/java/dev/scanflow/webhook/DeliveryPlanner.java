package dev.scanflow.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.condition.ConditionCache;
import dev.scanflow.condition.ConditionException;
import dev.scanflow.engine.RunStartPlan;
import dev.scanflow.pipeline.definition.TriggerSpec;
import dev.scanflow.run.RunLauncher;
import dev.scanflow.run.RunOrigin;
import dev.scanflow.trigger.TriggerOutcomes;
import dev.scanflow.trigger.TriggeredStarts;
import dev.scanflow.webhook.WebhookDeliveries.Delivery;
import dev.scanflow.webhook.WebhookIntake.Answer;
import dev.scanflow.webhook.WebhookIntake.Read;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What an authenticated delivery starts, as a plan (ADR 0008): a replay (same delivery id, or
 * same body within the replay window) starts nothing and gets the first delivery's runs; else
 * each matching trigger's filter, its asset and its overlap rule decide. Every delivery is
 * logged with its outcome, in the plan.
 */
@ApplicationScoped
public class DeliveryPlanner {

    private final WebhookDeliveries deliveries;
    private final RunLauncher launcher;
    private final TriggeredStarts starts;
    private final TriggerOutcomes outcomes;
    private final ConditionCache filters;
    private final ObjectMapper mapper;

    public DeliveryPlanner(WebhookDeliveries deliveries, RunLauncher launcher, TriggeredStarts starts,
            TriggerOutcomes outcomes, WebhookBeans.PayloadFilters filters, ObjectMapper mapper) {
        this.deliveries = deliveries;
        this.launcher = launcher;
        this.starts = starts;
        this.outcomes = outcomes;
        this.filters = filters.cache();
        this.mapper = mapper;
    }

    Uni<Answer> decide(Read r) {
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
        return "no repository asset of this tenant has the URL " + WebhookIntake.clip(r.push().repositoryUrls().get(0))
                + " (clone, SSH and web URLs of one repository match each other)";
    }

    /** Payload text that becomes run context: no NUL, bounded. */
    private static Map<String, Object> sanitized(Map<String, Object> context) {
        Map<String, Object> out = new LinkedHashMap<>();
        context.forEach((k, v) -> out.put(k, WebhookIntake.clip(String.valueOf(v).replace("\u0000", ""))));
        return out;
    }

}
