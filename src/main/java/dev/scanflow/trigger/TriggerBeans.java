package dev.scanflow.trigger;

import dev.scanflow.condition.ConditionCache;
import dev.scanflow.condition.ConditionCompiler;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The plain-Java trigger pieces as shared beans, each with its own CEL environment and cache. */
public class TriggerBeans {

    @Produces
    @Singleton
    TargetSelection targetSelection() {
        return new TargetSelection(new ConditionCache(ConditionCompiler.assetFilters()));
    }
}
