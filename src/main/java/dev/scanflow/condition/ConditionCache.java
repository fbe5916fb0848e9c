package dev.scanflow.condition;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles each condition once and keeps the program: evaluating a compiled condition takes
 * microseconds, compiling it a hundred times more (bench/jmh.sh). Bounded: cleared past 10,000
 * distinct expressions. Thread-safe.
 */
public final class ConditionCache {

    private static final int MAX = 10_000;

    private final ConditionCompiler compiler;
    private final Map<String, CompiledCondition> compiled = new ConcurrentHashMap<>();

    public ConditionCache(ConditionCompiler compiler) {
        this.compiler = compiler;
    }

    public CompiledCondition get(String expression) throws ConditionException {
        CompiledCondition condition = compiled.get(expression);
        if (condition == null) {
            condition = compiler.compile(expression);
            if (compiled.size() > MAX) {
                compiled.clear();
            }
            compiled.put(expression, condition);
        }
        return condition;
    }

    /** Evaluates a condition against the variables (compiling it the first time). */
    public boolean test(String expression, Map<String, Object> variables) throws ConditionException {
        return ConditionEvaluator.evaluate(get(expression), variables);
    }
}
