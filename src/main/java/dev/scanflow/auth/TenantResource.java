package dev.scanflow.auth;

import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Tenants' weights and run limits (docs/api.md, "Tenants: weight and run limit"): read by a
 * platform admin for any tenant and by everyone else for their own, set by a platform admin.
 */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/tenants")
@Tag(name = "Tenants")
@SecurityRequirement(name = "jwt")
@Produces({MediaType.APPLICATION_JSON, DocumentReader.YAML})
public class TenantResource {

    static final String EXAMPLE = "{\"weight\": 3, \"max_concurrent_runs\": 20}";

    private final TenantShareService tenants;
    private final DocumentReader documents;
    private final Caller caller;

    public TenantResource(TenantShareService tenants, DocumentReader documents, Caller caller) {
        this.tenants = tenants;
        this.documents = documents;
        this.caller = caller;
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER, Roles.PLATFORM_ADMIN})
    @Operation(summary = "A tenant's weight in the fair share of shared workers and its run limit (a platform-admin: "
            + "any tenant; others: their own)")
    @APIResponse(responseCode = "200", description = "The tenant",
            content = @Content(schema = @Schema(implementation = TenantView.class)))
    @APIResponse(responseCode = "404", description = "No such tenant, or another tenant's (for all but a platform-admin)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<TenantView> get(@PathParam("id") String id) {
        return tenants.get(caller.tenantId(), caller.hasRole(Roles.PLATFORM_ADMIN), PathIds.uuid(id, "tenant"));
    }

    @PUT
    @Path("/{id}/share")
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML, DocumentReader.X_YAML, DocumentReader.TEXT_YAML,
            DocumentReader.TEXT_X_YAML})
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    @Operation(summary = "Set a tenant's weight (1-1000, default 1) and its run limit (1-100000; null: none); "
            + "platform-admin only")
    @RequestBody(content = @Content(schema = @Schema(implementation = TenantView.class),
            examples = @ExampleObject(name = "share", summary = "Three times the default share, at most 20 runs at once",
                    value = EXAMPLE)))
    @APIResponse(responseCode = "200", description = "The tenant as it is now",
            content = @Content(schema = @Schema(implementation = TenantView.class)))
    @APIResponse(responseCode = "404", description = "No such tenant (a tenant exists once it has written something)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Invalid share: every error, each with its path",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<TenantView> putShare(@PathParam("id") String id, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        var tenant = PathIds.uuid(id, "tenant");
        var node = documents.parse(body, contentType);
        return tenants.putShare(tenant, node, caller.userName());
    }
}
