package dev.scanflow.domain;

import java.util.Map;

/**
 * The budget of the target a step reaches (docs/adr/0012-fair-admission.md), asked by the engine
 * for every step it is about to give to a worker, inside the dispatching transaction: an
 * implementation answers from memory, at once. Null when no budget applies to the step (a
 * passive step on a target no tenant gave a budget).
 */
public interface TargetBudgets {

    TargetBudget of(RunState run, StepState step);

    /** The key of the target a run's asset is (null: none), whatever budget applies to its steps. */
    String keyOf(Map<String, Object> asset);
}
