package dev.scanflow.condition;

import dev.cel.runtime.CelEvaluationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluates compiled conditions against a run's variables. */
public final class ConditionEvaluator {

    private ConditionEvaluator() {
    }

    /**
     * @param variables {@code asset}, {@code steps}, {@code context}, {@code run}; plain Java
     *                  values as JSON would give them (maps, lists, strings, numbers, booleans)
     */
    public static boolean evaluate(CompiledCondition condition, Map<String, ?> variables) throws ConditionException {
        Map<String, Object> input = new LinkedHashMap<>();
        for (String name : condition.variables()) {
            Object value = variables.get(name);
            input.put(name, value == null ? Map.of() : toCel(value));
        }
        if (input.get("context") instanceof Map<?, ?> given) {
            input.put("context", withDocumentedFields(given));
        }
        try {
            Object result = condition.program().eval(input);
            if (result instanceof Boolean b) {
                return b;
            }
            throw new ConditionException("condition did not evaluate to a boolean: " + result);
        } catch (CelEvaluationException e) {
            String expr = condition.expression();
            String shown = expr.length() > 120 ? expr.substring(0, 117) + "..." : expr;
            throw new ConditionException("evaluation of '" + shown + "' failed: " + e.getMessage(), e);
        }
    }

    /**
     * The documented context fields read as '' when a run did not set them, so that
     * {@code context.environment == 'prod'} is false, not an error, for runs without one.
     */
    private static Map<String, Object> withDocumentedFields(Map<?, ?> given) {
        Map<String, Object> context = new LinkedHashMap<>();
        ConditionVariables.CONTEXT_FIELDS.forEach(k -> context.put(k, ""));
        given.forEach((k, v) -> context.put(String.valueOf(k),
                v == dev.cel.common.values.NullValue.NULL_VALUE && context.containsKey(String.valueOf(k)) ? "" : v));
        return context;
    }

    /** CEL wants 64-bit ints and doubles; JSON decoding gives Integer, Float, BigDecimal and so on. */
    static Object toCel(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), toCel(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(toCel(v)));
            return out;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof java.math.BigInteger big) {
            return big.longValue();
        }
        if (value instanceof Float || value instanceof java.math.BigDecimal) {
            return ((Number) value).doubleValue();
        }
        if (value == null) {
            return dev.cel.common.values.NullValue.NULL_VALUE;
        }
        return value;
    }
}
