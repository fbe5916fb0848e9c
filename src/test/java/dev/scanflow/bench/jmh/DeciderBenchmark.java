package dev.scanflow.bench.jmh;

import dev.scanflow.condition.CompiledCondition;
import dev.scanflow.condition.ConditionCompiler;
import dev.scanflow.condition.ConditionEvaluator;
import dev.scanflow.domain.Decision;
import dev.scanflow.domain.RunDecider;
import dev.scanflow.domain.RunState;
import dev.scanflow.domain.RunStatus;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
import dev.scanflow.domain.WorkerResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pure decider on a 50-step DAG: 5 layers of 10 steps, each step after the first layer
 * depending on two of the layer before, every fifth with a CEL condition (compiled once and
 * cached, as the engine does), at most 10 in parallel. {@code wholeRun} drives one run from
 * start to completed: 51 decisions (the start and 50 results). {@code oneResult} is one
 * decision in the middle of a run (layer 3 of 5).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DeciderBenchmark {

    static final int LAYERS = 5;
    static final int WIDTH = 10;
    static final String CONDITION = "asset.type == 'web_application' && asset.has_url";
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final ConditionCompiler compiler = new ConditionCompiler();
    private final Map<String, CompiledCondition> compiled = new ConcurrentHashMap<>();
    private final RunDecider decider = new RunDecider(new RunDecider.Settings(Duration.ofMinutes(10),
            Duration.ofSeconds(60), Duration.ofHours(1), 2), (cel, variables) -> {
                CompiledCondition c = compiled.get(cel);
                if (c == null) {
                    c = compiler.compile(cel);
                    compiled.put(cel, c);
                }
                return ConditionEvaluator.evaluate(c, variables);
            }, (run, step, now) -> dev.scanflow.domain.ScopeCheck.Verdict.ALLOW); // tenants without a scan policy

    static RunState newRun() {
        List<StepState> steps = new ArrayList<>();
        for (int layer = 0; layer < LAYERS; layer++) {
            for (int i = 0; i < WIDTH; i++) {
                int index = layer * WIDTH + i;
                List<String> deps = layer == 0 ? List.of()
                        : List.of(key(layer - 1, i), key(layer - 1, (i + 1) % WIDTH));
                String cel = index % 5 == 4 ? CONDITION : null;
                steps.add(new StepState(UUID.randomUUID(), key(layer, i), key(layer, i), layer + 1, index, "nmap",
                        List.of("network"), Map.of(), 600, deps, cel, cel, 30, StepStatus.PENDING, 0, 1));
            }
        }
        return new RunState(UUID.randomUUID(), UUID.randomUUID(), RunStatus.PENDING, WIDTH, false, null, null,
                Map.of("type", "web_application", "has_url", true, "name", "shop"), Map.of(), Map.of("id", "run"),
                steps);
    }

    static String key(int layer, int i) {
        return "l" + layer + "s" + i;
    }

    /** What the shell does after a decision: a worker for every step waiting for one. */
    static List<StepState> dispatchAll(RunState run) {
        List<StepState> sent = new ArrayList<>();
        for (StepState s : run.steps()) {
            if (s.awaitingDispatch(NOW)) {
                s.commandId = UUID.randomUUID();
                s.workerId = "w1";
                s.dispatchedAt = NOW;
                sent.add(s);
            }
        }
        return sent;
    }

    static WorkerResult completed(StepState s) {
        return new WorkerResult(s.commandId, "w1", "w1", "completed", 1, Map.of("low", 1), Map.of("ok", true), null,
                null);
    }

    @Benchmark
    public int wholeRun() {
        RunState run = newRun();
        int decisions = 1;
        decider.start(run, NOW);
        List<StepState> inFlight = new ArrayList<>(dispatchAll(run));
        while (!inFlight.isEmpty()) {
            StepState s = inFlight.remove(0);
            Decision d = decider.onResult(run, completed(s), NOW);
            if (d.ignored() != null) {
                throw new IllegalStateException(d.ignored());
            }
            decisions++;
            inFlight.addAll(dispatchAll(run));
        }
        if (run.status != RunStatus.COMPLETED || decisions != 1 + LAYERS * WIDTH) {
            throw new IllegalStateException("run ended " + run.status + " after " + decisions + " decisions");
        }
        return decisions;
    }

    /** A run in its third layer, rebuilt before every call: the decision under test is not repeated. */
    @State(Scope.Thread)
    public static class MidRun {
        RunState run;
        StepState next;

        @Setup(Level.Invocation)
        public void build(DeciderBenchmark bench) {
            run = newRun();
            bench.decider.start(run, NOW);
            List<StepState> inFlight = new ArrayList<>(dispatchAll(run));
            while (run.steps().stream().filter(s -> s.status == StepStatus.COMPLETED).count() < 2 * WIDTH + 3) {
                StepState s = inFlight.remove(0);
                bench.decider.onResult(run, completed(s), NOW);
                inFlight.addAll(dispatchAll(run));
            }
            next = inFlight.get(0);
        }
    }

    @Benchmark
    public Decision oneResult(MidRun state) {
        return decider.onResult(state.run, completed(state.next), NOW);
    }
}
