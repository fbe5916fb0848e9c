package dev.scanflow.run;

import dev.scanflow.asset.AssetService;
import dev.scanflow.common.ApiException;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.FairShare;
import dev.scanflow.domain.DurationText;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.RunStatus;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
import dev.scanflow.domain.ValidationError;
import dev.scanflow.engine.NewRun;
import dev.scanflow.engine.RunEngine;
import dev.scanflow.engine.RunStartPlan;
import dev.scanflow.pipeline.PinnedTemplate;
import dev.scanflow.pipeline.PipelineQueries;
import dev.scanflow.pipeline.definition.ConditionCel;
import dev.scanflow.pipeline.definition.SettingsSpec;
import dev.scanflow.pipeline.definition.StepSpec;
import dev.scanflow.scope.ScopeAdmission;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Starts runs: the one way any run starts (the API, schedules, webhooks, asset discovery). It
 * pins the pipeline's latest version and the asset as they are, builds the runs' state, and has
 * the engine write the caller's {@link RunStartPlan} (the runs, what the caller records beside
 * them: an idempotency key, a fire row, outcomes) in one transaction, planning again when the
 * plan was stale. Before a plan is written, the names its runs' scope checks need are resolved
 * ({@link ScopeAdmission#prepare}); a run started by hand that the tenant's scan policy refuses
 * is a 422 before anything is written.
 */
@ApplicationScoped
public class RunLauncher {


    /** How often a start is planned again when its plan was stale before giving up. */
    static final int PLAN_ATTEMPTS = 5;

    private final PipelineQueries pipelines;
    private final AssetService assets;
    private final RunEngine engine;
    private final IdempotencyKeys idempotency;
    private final ScopeAdmission scope;
    private final ScanflowConfig config;

    public RunLauncher(PipelineQueries pipelines, AssetService assets, RunEngine engine, IdempotencyKeys idempotency,
            ScopeAdmission scope, ScanflowConfig config) {
        this.pipelines = pipelines;
        this.assets = assets;
        this.engine = engine;
        this.idempotency = idempotency;
        this.scope = scope;
        this.config = config;
    }

    /** The runs a launch started; {@code replayed} when an Idempotency-Key returned an earlier request's runs. */
    public record Started(List<UUID> runIds, boolean replayed) {
    }

    /**
     * Starts a run of the pipeline's latest version on the asset (POST .../run). With an
     * idempotency key, a repeat of the same request returns the first one's run. A run the
     * tenant's scan policy refuses is a 422 {@code out-of-scope} naming the step and the rule.
     */
    public Uni<Started> launch(UUID tenant, UUID pipelineId, RunLaunchRequest request, RunOrigin origin,
            String idempotencyKey) {
        List<ValidationError> errors = new ArrayList<>();
        UUID assetId = null;
        if (request.assetId() == null || request.assetId().isBlank()) {
            errors.add(ValidationError.at("$.asset_id", "is required"));
        } else {
            try {
                assetId = UUID.fromString(request.assetId());
            } catch (IllegalArgumentException e) {
                errors.add(ValidationError.at("$.asset_id", "must be a UUID"));
            }
        }
        // left out: the asset's criticality decides (see prepare)
        String priority = request.priority();
        if (priority != null && !FairShare.PRIORITIES.contains(priority)) {
            errors.add(ValidationError.at("$.priority", "must be one of critical, high, normal, low"));
        }
        if (!errors.isEmpty()) {
            return Uni.createFrom().failure(ApiException.invalid("Invalid run request", errors));
        }
        UUID asset = assetId;
        Map<String, Object> context = request.context() == null ? Map.of() : request.context();
        // the template and the asset are read in one read-only transaction: one commit, not three
        return Panache.withTransaction(() -> pinActive(tenant, pipelineId)
                        .chain(pinned -> assets.snapshot(tenant, asset).map(snapshot -> new Pinned(pinned, snapshot))))
                .chain(p -> {
                    NewRun run = prepare(tenant, p.template(), asset, p.asset(), context, priority, origin);
                    return scope.prepare(List.of(run.state())).map(v -> run);
                })
                .chain(run -> {
                    String refused = scope.refusal(run.state());
                    if (refused != null) {
                        throw new ApiException(422, "out-of-scope", "Out of scope", refused,
                                List.of(ValidationError.at("$.asset_id", refused)));
                    }
                    UUID runId = run.state().id;
                    if (idempotencyKey == null) {
                        return start(() -> Uni.createFrom().item(new Planned<>(
                                RunStartPlan.builder().start(run).build(), new Started(List.of(runId), false))));
                    }
                    String hash = IdempotencyKeys.hash("run", pipelineId.toString(), asset.toString(),
                            String.valueOf(request.context()), priority);
                    return start(() -> idempotency.earlier(tenant, idempotencyKey, hash).map(earlier -> earlier != null
                            ? Planned.nothing(new Started(earlier, true))
                            : new Planned<>(RunStartPlan.builder()
                                    .guard(IdempotencyKeys.claim(tenant, idempotencyKey, hash, List.of(runId)))
                                    .start(run).build(), new Started(List.of(runId), false))));
                });
    }

    private record Pinned(PinnedTemplate template, Map<String, Object> asset) {
    }

    /** The pipeline's latest version, to run; 409 when the pipeline is deactivated. */
    public Uni<PinnedTemplate> pinActive(UUID tenant, UUID pipelineId) {
        return pipelines.pinLatest(tenant, pipelineId).map(pinned -> {
            if (!pinned.active()) {
                throw ApiException.conflict("pipeline " + pipelineId + " is deactivated; it cannot be run");
            }
            return pinned;
        });
    }

    /** A plan to write and the answer once it is written; no plan: nothing to write. */
    public record Planned<T>(RunStartPlan plan, T answer) {

        public static <T> Planned<T> nothing(T answer) {
            return new Planned<>(null, answer);
        }
    }

    /**
     * Plans and has the engine write the plan (see {@link RunEngine#start}); when the plan was
     * stale (what it was planned on changed before it was written), reads and plans again, up
     * to {@link #PLAN_ATTEMPTS} times.
     */
    public <T> Uni<T> start(Supplier<Uni<Planned<T>>> planner) {
        return start(planner, 1);
    }

    /**
     * Has the engine write the plan once; {@code whenStale} when it was stale (for a plan whose
     * guard is a claim another replica may have taken: then there is nothing left to do).
     */
    public <T> Uni<T> startOnce(Planned<T> planned, T whenStale) {
        if (planned.plan() == null) {
            return Uni.createFrom().item(planned.answer());
        }
        return write(planned.plan()).map(written -> written ? planned.answer() : whenStale);
    }

    /** The plan's runs' names resolved for their scope checks, then the plan written. */
    private Uni<Boolean> write(RunStartPlan plan) {
        return scope.prepare(plan.runs().stream().map(NewRun::state).toList()).chain(() -> engine.start(plan));
    }

    private <T> Uni<T> start(Supplier<Uni<Planned<T>>> planner, int attempt) {
        return planner.get().chain(planned -> {
            if (planned.plan() == null) {
                return Uni.createFrom().item(planned.answer());
            }
            return write(planned.plan()).chain(written -> {
                if (written) {
                    return Uni.createFrom().item(planned.answer());
                }
                if (attempt >= PLAN_ATTEMPTS) {
                    return Uni.createFrom().failure(new ApiException(503, "busy", "Busy",
                            "what this start depends on kept changing while it was planned (" + PLAN_ATTEMPTS
                                    + " attempts); try again", List.of()));
                }
                return start(planner, attempt + 1);
            });
        });
    }

    /**
     * A run of the pinned version on the asset, not yet created; without a {@code priority}, the
     * asset's criticality gives it ({@link FairShare#priorityOf}).
     */
    public NewRun prepare(UUID tenant, PinnedTemplate pinned, UUID assetId, Map<String, Object> asset,
            Map<String, Object> context, String requested, RunOrigin origin) {
        String priority = requested != null ? requested : FairShare.priorityOf(asset.get("criticality"));
        UUID runId = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        SettingsSpec settings = pinned.definition().settings();
        Instant deadline = settings.timeout() == null ? null
                : now.plusSeconds(DurationText.parseSeconds(settings.timeout()).orElseThrow());
        List<StepState> steps = new ArrayList<>();
        List<StepSpec> specs = pinned.definition().steps();
        for (int i = 0; i < specs.size(); i++) {
            steps.add(stepState(specs.get(i), i, settings.retryFailedSteps()));
        }
        Map<String, Object> runContext = new LinkedHashMap<>(context);
        if (origin.user() != null) {
            runContext.put("user", origin.user());
        }
        Map<String, Object> runVars = new LinkedHashMap<>();
        runVars.put("id", runId.toString());
        runVars.put("trigger_type", origin.type());
        runVars.put("triggered_by", origin.triggeredBy());
        RunState state = new RunState(runId, tenant, RunStatus.PENDING, settings.maxParallelSteps(),
                settings.failFast(), deadline, null, asset, runContext, runVars, steps);
        return new NewRun(state, pinned.pipelineId(), pinned.templateId(), pinned.version(), pinned.name(), assetId,
                priority, origin.type(), origin.triggeredBy(), settings.maxConcurrentRuns());
    }

    private StepState stepState(StepSpec spec, int index, int retryDefault) {
        String cel = spec.condition() == null ? null : ConditionCel.of(spec.condition());
        int retries = spec.maxRetries() != null ? spec.maxRetries() : retryDefault;
        int delay = spec.retryDelaySeconds() != null ? spec.retryDelaySeconds()
                : (int) config.engine().defaultRetryDelay().toSeconds();
        return new StepState(UUID.randomUUID(), spec.id(), spec.name(), spec.order(), index, spec.tool(),
                spec.capabilities(), spec.config(), DurationText.parseSeconds(spec.timeout()).orElseThrow().intValue(),
                spec.dependsOn(), cel, cel, delay, StepStatus.PENDING, 0, 1 + retries);
    }
}
