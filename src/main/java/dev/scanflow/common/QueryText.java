package dev.scanflow.common;

import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every request's path and query parameters pass here before any resource: PostgreSQL takes no
 * NUL character (U+0000) in text, so a parameter or path segment with one is a 400 naming it,
 * never a database error.
 */
public class QueryText {

    @ServerRequestFilter(preMatching = true)
    public void refuseNul(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (path.indexOf('\u0000') >= 0) {
            throw ApiException.badParameter("path", "must not contain the NUL character (U+0000)");
        }
        for (Map.Entry<String, List<String>> p : request.getUriInfo().getQueryParameters().entrySet()) {
            if (p.getKey().indexOf('\u0000') >= 0 || p.getValue().stream().anyMatch(v -> v.indexOf('\u0000') >= 0)) {
                throw ApiException.badParameter(p.getKey().replace('\u0000', '?'),
                        "must not contain the NUL character (U+0000)");
            }
        }
    }
}
