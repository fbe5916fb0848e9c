package dev.scanflow.scope;

import dev.scanflow.condition.ConditionCache;
import dev.scanflow.domain.RunDecider;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.ScopeCheck;
import dev.scanflow.domain.StepState;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The scope guard at the start of runs (run/RunLauncher, every start path): the names the new
 * runs' active steps will be checked on are resolved first ({@link #prepare}), so that their
 * dispatch rarely waits for DNS; and a run started by hand is refused before anything is written
 * when the policy refuses one of its active steps ({@link #refusal}). Runs that triggers start
 * are created whatever their scope: their refused steps end skipped at dispatch.
 */
@ApplicationScoped
public class ScopeAdmission {

    /** The longest a start waits for names to resolve; the rest are checked at dispatch. */
    static final Duration RESOLVE_WAIT = Duration.ofSeconds(3);
    /** A condition that reads other steps' results may hold later although it does not now. */
    private static final Pattern READS_STEPS = Pattern.compile("\\bsteps\\b");

    private final ScopeGuard guard;
    private final HostAddresses hosts;
    private final ConditionCache conditions;

    public ScopeAdmission(ScopeGuard guard, HostAddresses hosts, ConditionCache conditions) {
        this.guard = guard;
        this.hosts = hosts;
        this.conditions = conditions;
    }

    /** Resolves what the runs' scope checks will need, waiting {@link #RESOLVE_WAIT} at most; never fails. */
    public Uni<Void> prepare(Collection<RunState> runs) {
        List<String> names = runs.stream()
                .flatMap(run -> run.steps().stream().flatMap(step -> guard.namesToResolve(run, step).stream()))
                .distinct().toList();
        return hosts.resolveAll(names, RESOLVE_WAIT);
    }

    /**
     * Why a run started by hand must not start, or null: the first active step the policy
     * refuses, leaving out steps whose condition already says they will not run. A step held
     * (a blackout window, a name still resolving) does not refuse the run: it waits once started.
     */
    public String refusal(RunState run) {
        Instant now = Instant.now();
        for (StepState step : run.steps()) {
            if (!mayRun(run, step)) {
                continue;
            }
            ScopeCheck.Verdict verdict = guard.check(run, step, now);
            if (verdict.outcome() == ScopeCheck.Verdict.Outcome.BLOCK) {
                return "step '" + step.key + "' is out of scope: " + verdict.rule();
            }
        }
        return null;
    }

    /** False only for a step whose condition reads no other step's result and is false already. */
    private boolean mayRun(RunState run, StepState step) {
        if (step.conditionCel == null || READS_STEPS.matcher(step.conditionCel).find()) {
            return true;
        }
        try {
            return conditions.test(step.conditionCel, RunDecider.variables(run));
        } catch (Exception e) {
            return true; // the run will fail this step at its condition; its scope is checked regardless
        }
    }
}
