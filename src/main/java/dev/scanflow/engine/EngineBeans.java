package dev.scanflow.engine;

import dev.scanflow.condition.ConditionCache;
import dev.scanflow.condition.ConditionCompiler;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.RunDecider;
import dev.scanflow.domain.ScopeCheck;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The engine's plain-Java parts as beans: the decider (with the configured clocks,
 * the conditions and the scope check), and the compiled-condition cache. The scope
 * check is whatever bean implements {@link ScopeCheck} (the scope package's guard): found by
 * the interface, so the engine knows no feature package, and without one the service does not
 * start (there is no allow-all default to fall back on).
 */
public class EngineBeans {

    @Produces
    @Singleton
    ConditionCache conditionCache(ConditionCompiler compiler) {
        return new ConditionCache(compiler);
    }

    @Produces
    @Singleton
    RunDecider runDecider(ScanflowConfig config, ConditionCache conditions, ScopeCheck scope, FleetSightings sightings) {
        var e = config.engine();
        return new RunDecider(new RunDecider.Settings(e.queueTimeout(), e.ackTimeout(), e.maxRetryDelay(),
                e.maxWorkerLosses()), conditions::test, scope, sightings);
    }
}
