package dev.scanflow.domain;

import java.util.Map;

/** Evaluates a step condition (CEL text) against the run's variables. */
@FunctionalInterface
public interface ConditionCheck {

    /** @throws Exception with a message for users when the condition cannot be evaluated */
    boolean test(String cel, Map<String, Object> variables) throws Exception;
}
