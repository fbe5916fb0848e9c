package dev.scanflow.condition;

import dev.cel.runtime.CelRuntime;
import java.util.Set;

/**
 * A checked CEL expression, ready to evaluate many times.
 *
 * @param expression      the CEL source
 * @param program         the planned program
 * @param referencedSteps step ids the expression reads as {@code steps.<id>}
 * @param variables       the variables it may read (absent ones evaluate as empty maps)
 */
public record CompiledCondition(String expression, CelRuntime.Program program, Set<String> referencedSteps,
        java.util.List<String> variables) {
}
