package dev.scanflow.scope;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.Problem;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The tenant's scan policy (docs/api.md, "Scan policy"): read by every role, written and removed by admins. */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/scan-policy")
@Tag(name = "Scan policy")
@SecurityRequirement(name = "jwt")
@Produces({MediaType.APPLICATION_JSON, DocumentReader.YAML})
public class ScanPolicyResource {

    static final String EXAMPLE = "{\"allowed_targets\": [\"10.20.0.0/16\", \"*.example.com\"], "
            + "\"excluded_targets\": [\"10.20.5.0/24\"], \"blackout_windows\": [{\"cron\": \"0 9 * * 1-5\", "
            + "\"duration\": \"8h\", \"timezone\": \"Europe/Berlin\"}], \"active_capabilities\": [\"dast\", \"infra\"], "
            + "\"target_budgets\": [{\"target\": \"shop.example.com\", \"max_active_steps\": 2, \"requests_per_second\": 50}]}";

    private final ScanPolicyService policies;
    private final DocumentReader documents;
    private final Caller caller;

    public ScanPolicyResource(ScanPolicyService policies, DocumentReader documents, Caller caller) {
        this.policies = policies;
        this.documents = documents;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The tenant's scan policy: the targets active steps may reach, exclusions, blackout windows, "
            + "which capabilities are active, target budgets")
    @APIResponse(responseCode = "200", description = "The policy",
            content = @Content(schema = @Schema(implementation = ScanPolicyView.class)))
    @APIResponse(responseCode = "404", description = "No policy; the detail says what applies without one",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ScanPolicyView> get() {
        return policies.get(caller.tenantId());
    }

    @PUT
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML, DocumentReader.X_YAML, DocumentReader.TEXT_YAML,
            DocumentReader.TEXT_X_YAML})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Write the tenant's scan policy (the whole of it; it applies to the next dispatch of "
            + "every run, whatever started it)")
    @RequestBody(content = @Content(schema = @Schema(implementation = ScanPolicyView.class),
            examples = @ExampleObject(name = "policy", summary = "Two ranges and a domain, one exclusion, office hours, "
                    + "a budget for one host",
                    value = EXAMPLE)))
    @APIResponse(responseCode = "200", description = "The policy replaced",
            content = @Content(schema = @Schema(implementation = ScanPolicyView.class)))
    @APIResponse(responseCode = "201", description = "The tenant's first policy",
            content = @Content(schema = @Schema(implementation = ScanPolicyView.class)))
    @APIResponse(responseCode = "422", description = "Invalid policy: every error, each with its path",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> put(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        var node = documents.parse(body, contentType);
        return policies.put(caller.tenantId(), node, caller.userName())
                .map(w -> Response.status(w.created() ? 201 : 200).entity(w.policy()).build());
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Remove the tenant's scan policy (then scanflow.scope.without-policy applies)")
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(responseCode = "404", description = "No policy to remove",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> delete() {
        return policies.delete(caller.tenantId()).map(v -> Response.noContent().build());
    }
}
