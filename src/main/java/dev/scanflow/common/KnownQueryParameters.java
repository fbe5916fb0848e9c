package dev.scanflow.common;

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
 * The names an operation reads are its {@code @QueryParam}s, read once per method. A native
 * image keeps those annotations only for classes registered for reflection: every resource
 * registers itself (ArchitectureTest holds it), so this class names none of them.
 */
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
