package dev.scanflow.common;

import jakarta.ws.rs.container.ContainerRequestContext;
import java.net.URI;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Custom methods in the Google API style, {@code PUT /api/v1/pipelines:apply}: routed to the
 * resources' {@code /apply} sub-resource before matching (RESTEasy Reactive matches class paths by
 * prefix, so {@code /pipelines:apply} would otherwise reach the collection and be a 404).
 */
public class CustomMethods {

    @ServerRequestFilter(preMatching = true)
    public void route(ContainerRequestContext request) {
        URI uri = request.getUriInfo().getRequestUri();
        String path = uri.getRawPath();
        if (path == null) {
            return;
        }
        // clients send the colon as it is or percent-encoded
        for (String suffix : new String[] {":apply", "%3Aapply", "%3aapply"}) {
            if (path.endsWith(suffix)) {
                String routed = path.substring(0, path.length() - suffix.length()) + "/apply";
                request.setRequestUri(URI.create(routed + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())));
                return;
            }
        }
    }
}
