package dev.scanflow.bench.jmh;

import dev.scanflow.condition.CompiledCondition;
import dev.scanflow.condition.ConditionCompiler;
import dev.scanflow.condition.ConditionEvaluator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Step conditions: evaluating a condition compiled once (what the engine does: it caches each
 * expression's program) against compiling it every time, for three sizes of expression.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ConditionBenchmark {

    static final Map<String, String> EXPRESSIONS = Map.of(
            "simple", "asset.type == 'web_application'",
            "typical", "asset.type == 'web_application' && asset.has_url && steps.sast.findings_count > 0",
            "heavy", "asset.tags.exists(t, t.startsWith('prod')) "
                    + "&& steps.nmap.output.open_ports.exists(p, p in [80, 443, 8080, 8443]) "
                    + "&& steps.sast.findings_by_severity.high + steps.sast.findings_by_severity.critical < 10");

    static final Map<String, Object> VARIABLES = Map.of(
            "asset", Map.of("type", "web_application", "name", "shop", "url", "https://shop.example.com",
                    "has_url", true, "tags", List.of("pci", "production", "eu"), "criticality", "high"),
            "steps", Map.of(
                    "sast", Map.of("status", "completed", "findings_count", 7,
                            "findings_by_severity", Map.of("critical", 1, "high", 2, "medium", 4), "output", Map.of()),
                    "nmap", Map.of("status", "completed", "findings_count", 3,
                            "output", Map.of("open_ports", List.of(22, 443, 8443)))),
            "context", Map.of("branch", "main"),
            "run", Map.of("trigger_type", "manual"));

    @Param({"simple", "typical", "heavy"})
    public String expression;

    private final ConditionCompiler compiler = new ConditionCompiler();
    private String cel;
    private CompiledCondition compiled;

    @Setup
    public void compileOnce() throws Exception {
        cel = EXPRESSIONS.get(expression);
        compiled = compiler.compile(cel);
        if (!ConditionEvaluator.evaluate(compiled, VARIABLES)) {
            throw new IllegalStateException("the benchmark's condition should hold: " + cel);
        }
    }

    @Benchmark
    public boolean evaluateCompiled() throws Exception {
        return ConditionEvaluator.evaluate(compiled, VARIABLES);
    }

    @Benchmark
    public boolean compileAndEvaluate() throws Exception {
        return ConditionEvaluator.evaluate(compiler.compile(cel), VARIABLES);
    }
}
