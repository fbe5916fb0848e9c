package dev.scanflow.engine;

import dev.scanflow.common.CredentialNames;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.StepAuth;
import dev.scanflow.domain.StepState;
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
 * Pins, in each new run, the kinds of the scan credentials it names (its asset's
 * {@code credentials}, its steps' {@code config.auth.credential}) as {@code credential_kinds} in
 * the run's copy of the asset: names and kinds only, looked up once before the run is written, so
 * that {@link CommandFactory} can put them in its commands without a query. A name that is no
 * credential (deleted since) is pinned without a kind; the worker's request for it is refused.
 */
@ApplicationScoped
public class CredentialPins {

    /** The asset snapshot's credential names (asset package). */
    static final String NAMES = "credentials";
    /** Name → kind, pinned here. */
    static final String KINDS = "credential_kinds";

    private final CredentialNames credentials;

    public CredentialPins(CredentialNames credentials) {
        this.credentials = credentials;
    }

    /** The plan with its runs' credential kinds pinned; the same plan when none names a credential. */
    Uni<RunStartPlan> pin(RunStartPlan plan) {
        Map<UUID, Set<String>> byTenant = new LinkedHashMap<>();
        for (NewRun run : plan.runs()) {
            Set<String> names = names(run.state());
            if (!names.isEmpty()) {
                byTenant.computeIfAbsent(run.state().tenantId, t -> new LinkedHashSet<>()).addAll(names);
            }
        }
        if (byTenant.isEmpty()) {
            return Uni.createFrom().item(plan);
        }
        List<UUID> tenants = List.copyOf(byTenant.keySet());
        List<Uni<Map<String, String>>> lookups = tenants.stream().map(t -> credentials.kinds(t, byTenant.get(t))).toList();
        return Uni.join().all(lookups).andFailFast().map(found -> {
            Map<UUID, Map<String, String>> kinds = new LinkedHashMap<>();
            for (int i = 0; i < tenants.size(); i++) {
                kinds.put(tenants.get(i), found.get(i));
            }
            List<NewRun> runs = plan.runs().stream().map(r -> pinned(r, kinds.get(r.state().tenantId))).toList();
            return new RunStartPlan(plan.guards(), plan.expected(), plan.cancel(), runs, plan.records());
        });
    }

    /** The credential names a run uses: its asset's, then its steps'. */
    static Set<String> names(RunState state) {
        Set<String> names = new LinkedHashSet<>();
        if (state.asset.get(NAMES) instanceof List<?> list) {
            list.forEach(n -> names.add(String.valueOf(n)));
        }
        for (StepState s : state.steps()) {
            String name = StepAuth.credential(s.config);
            if (name != null) {
                names.add(name);
            }
        }
        return names;
    }

    private static NewRun pinned(NewRun run, Map<String, String> kinds) {
        Set<String> names = names(run.state());
        if (names.isEmpty() || kinds == null) {
            return run;
        }
        Map<String, Object> pinnedKinds = new LinkedHashMap<>();
        names.forEach(n -> pinnedKinds.put(n, kinds.get(n)));
        Map<String, Object> asset = new LinkedHashMap<>(run.state().asset);
        asset.put(KINDS, pinnedKinds);
        RunState s = run.state();
        RunState state = new RunState(s.id, s.tenantId, s.status, s.maxParallelSteps, s.failFast, s.deadlineAt,
                s.startedAt, asset, s.context, s.run, new ArrayList<>(s.steps()));
        return new NewRun(state, run.pipelineId(), run.templateId(), run.pipelineVersion(), run.pipelineName(),
                run.assetId(), run.priority(), run.triggerType(), run.triggeredBy(), run.maxConcurrentRuns());
    }
}
