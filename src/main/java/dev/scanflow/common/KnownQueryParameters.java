package dev.scanflow.common;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A query parameter the matched operation does not read is a 400 that names it, rather than
 * being ignored (a typo such as {@code ?stauts=failed} would otherwise list everything).
 * The names an operation reads are its {@code @QueryParam}s, read once per method.
 */
// a native image keeps the resource methods' parameter annotations only for registered classes
@RegisterForReflection(methods = true, classNames = {"dev.scanflow.asset.AssetResource",
        "dev.scanflow.catalog.PipelineTemplateResource", "dev.scanflow.fleet.FleetResource",
        "dev.scanflow.notification.NotificationChannelResource", "dev.scanflow.notification.RunNotificationResource",
        "dev.scanflow.pipeline.PipelineResource", "dev.scanflow.pipeline.TemplateSchemaResource",
        "dev.scanflow.run.RunLaunchResource", "dev.scanflow.run.RunResource", "dev.scanflow.trigger.ScheduleResource",
        "dev.scanflow.trigger.TriggerOutcomeResource", "dev.scanflow.webhook.WebhookDeliveryResource",
        "dev.scanflow.webhook.WebhookResource", "dev.scanflow.webhook.WebhookSecretResource"})
public class KnownQueryParameters {

    private static final Map<Method, Set<String>> KNOWN = new ConcurrentHashMap<>();

    @ServerRequestFilter
    public void refuseUnknown(ContainerRequestContext request, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (method == null || !method.getDeclaringClass().getName().startsWith("dev.scanflow.")) {
            return;
        }
        Set<String> known = KNOWN.computeIfAbsent(method, KnownQueryParameters::names);
        Set<String> unknown = new LinkedHashSet<>(request.getUriInfo().getQueryParameters().keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            String name = unknown.iterator().next();
            throw ApiException.badParameter(name, "is not a parameter of this operation"
                    + (known.isEmpty() ? " (it takes none)" : " (it takes " + String.join(", ", known.stream().sorted().toList()) + ")"));
        }
    }

    static Set<String> names(Method method) {
        Set<String> names = new LinkedHashSet<>();
        for (Annotation[] annotations : method.getParameterAnnotations()) {
            for (Annotation a : annotations) {
                if (a instanceof QueryParam q) {
                    names.add(q.value());
                }
            }
        }
        return Set.copyOf(names);
    }

}
