package dev.scanflow.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * What every operation answers besides its own responses, added once here rather than on each
 * resource: 401 and 403 (problem+json) where a token is needed, and the problem body of a 400
 * for operations that read query parameters or bodies. Resources keep their own, more
 * specific, descriptions where they give one.
 */
public class OpenApiDefaults implements OASFilter {

    private static final String PROBLEM = "application/problem+json";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : openAPI.getPaths().getPathItems().entrySet()) {
            if (path.getValue().getOperations() == null) {
                continue;
            }
            for (Operation op : path.getValue().getOperations().values()) {
                APIResponses responses = op.getResponses() == null ? OASFactory.createAPIResponses() : op.getResponses();
                op.setResponses(responses);
                boolean open = path.getKey().startsWith("/api/v1/webhooks/") || path.getKey().startsWith("/api/v1/schemas/");
                if (open) {
                    // no token: webhooks authenticate by their signature, schemas are public ({} = anonymous)
                    op.setSecurity(new ArrayList<>(List.of(OASFactory.createSecurityRequirement())));
                } else {
                    addIfAbsent(responses, "401", "No valid token, or no UUID tenant_id claim");
                    addIfAbsent(responses, "403", "The caller's role does not allow this");
                }
                boolean hasClientError = responses.getAPIResponses() != null && responses.getAPIResponses().keySet().stream()
                        .anyMatch(code -> code.startsWith("4"));
                if (!hasClientError) {
                    addIfAbsent(responses, "400", "A malformed request: the problem says which parameter and why");
                }
            }
        }
    }

    private static void addIfAbsent(APIResponses responses, String code, String description) {
        if (responses.getAPIResponses() != null && responses.getAPIResponses().containsKey(code)) {
            return;
        }
        Content content = OASFactory.createContent().addMediaType(PROBLEM, OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref("#/components/schemas/Problem")));
        APIResponse response = OASFactory.createAPIResponse().description(description).content(content);
        responses.addAPIResponse(code, response);
    }
}
