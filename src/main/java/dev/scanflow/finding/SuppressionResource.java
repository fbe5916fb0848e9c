package dev.scanflow.finding;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.Page;
import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Suppressions of findings: thin layer over {@link Suppressions}; admins and operators write them. */
@RegisterForReflection(methods = true)
@Path("/api/v1/suppressions")
@Tag(name = "Findings")
@SecurityRequirement(name = "jwt")
@Produces(MediaType.APPLICATION_JSON)
public class SuppressionResource {

    private final Suppressions suppressions;
    private final DocumentReader documents;
    private final Caller caller;

    public SuppressionResource(Suppressions suppressions, DocumentReader documents, Caller caller) {
        this.suppressions = suppressions;
        this.documents = documents;
        this.caller = caller;
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML})
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR})
    @Operation(summary = "Suppress findings: {finding_id} or {rule_id, pattern?, asset_id?}, with reason, owner and "
            + "expires_at?; suppressed findings are counted apart and trip no gate or notification")
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(schema = @Schema(implementation = SuppressionView.class)))
    @APIResponse(responseCode = "422", description = "Invalid: every field that is wrong and why",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> create(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        SuppressionBodies.NewSuppression s = SuppressionBodies.create(documents.parse(body, contentType), Instant.now());
        return suppressions.create(caller.tenantId(), caller.userName(), s)
                .map(v -> Response.created(URI.create("/api/v1/suppressions/" + v.id())).entity(v).build());
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The tenant's suppressions, newest first (expired ones included, active: false)")
    public Uni<Page<SuppressionView>> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return suppressions.list(caller.tenantId(), Cursor.limit(limit), Cursor.decode(cursor));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "A suppression")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = SuppressionView.class)))
    @APIResponse(responseCode = "404", description = "No such suppression for this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<SuppressionView> get(@PathParam("id") String id) {
        return suppressions.get(caller.tenantId(), PathIds.uuid(id, "suppression"));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR})
    @Operation(summary = "Delete a suppression: the findings it covered are reopened when a run next sees them")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Uni<Response> delete(@PathParam("id") String id) {
        return suppressions.delete(caller.tenantId(), PathIds.uuid(id, "suppression"))
                .map(v -> Response.noContent().build());
    }
}
