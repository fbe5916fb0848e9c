package dev.scanflow.pipeline;

import dev.scanflow.condition.ConditionCompiler;
import dev.scanflow.pipeline.definition.TemplateReader;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The plain-Java validation pieces as shared beans: built once, thread-safe. */
public class PipelineBeans {

    @Produces
    @Singleton
    ConditionCompiler conditionCompiler() {
        return new ConditionCompiler();
    }

    @Produces
    @Singleton
    TemplateReader templateReader(ConditionCompiler conditions) {
        return new TemplateReader(conditions, ConditionCompiler.assetFilters(), ConditionCompiler.payloadFilters());
    }
}
