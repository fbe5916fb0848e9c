package dev.scanflow.webhook;

import dev.scanflow.condition.ConditionCache;
import dev.scanflow.condition.ConditionCompiler;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The webhook filters' CEL environment ({@code payload}, {@code event}) and its compile cache, as a bean. */
public class WebhookBeans {

    /** The compile cache of webhook filters (its own type, so it is not confused with the step conditions' cache). */
    public record PayloadFilters(ConditionCache cache) {
    }

    @Produces
    @Singleton
    PayloadFilters payloadFilters() {
        return new PayloadFilters(new ConditionCache(ConditionCompiler.payloadFilters()));
    }
}
