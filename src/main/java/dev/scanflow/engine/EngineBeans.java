package dev.scanflow.engine;

import dev.scanflow.condition.ConditionCache;
import dev.scanflow.condition.ConditionCompiler;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.RunDecider;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The engine's plain-Java parts as beans: the decider with the configured clocks, and the compiled-condition cache. */
public class EngineBeans {

    @Produces
    @Singleton
    ConditionCache conditionCache(ConditionCompiler compiler) {
        return new ConditionCache(compiler);
    }

    @Produces
    @Singleton
    RunDecider runDecider(ScanflowConfig config, ConditionCache conditions) {
        var e = config.engine();
        return new RunDecider(new RunDecider.Settings(e.queueTimeout(), e.ackTimeout(), e.maxRetryDelay(),
                e.maxWorkerLosses()), conditions::test);
    }
}
