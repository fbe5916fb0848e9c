package dev.scanflow.asset;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.Applied;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.Page;
import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Assets: thin HTTP layer over {@link AssetService}. */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/assets")
@Tag(name = "Assets")
@SecurityRequirement(name = "jwt")
@Produces({MediaType.APPLICATION_JSON, DocumentReader.YAML})
public class AssetResource {

    static final Set<String> SERVER_MANAGED = Set.of("id", "tenant_id", "created_at", "updated_at", "created_by");

    private final AssetService service;
    private final DocumentReader documents;
    private final Caller caller;

    public AssetResource(AssetService service, DocumentReader documents, Caller caller) {
        this.service = service;
        this.documents = documents;
        this.caller = caller;
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML, DocumentReader.X_YAML, DocumentReader.TEXT_YAML,
            DocumentReader.TEXT_X_YAML})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Register an asset")
    @RequestBody(content = @Content(schema = @Schema(implementation = AssetInput.class)))
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = AssetView.class)))
    @APIResponse(responseCode = "409", description = "An asset with this type and name exists",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Invalid asset",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> create(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        AssetInput input = read(body, contentType);
        return service.create(caller.tenantId(), caller.subject(), input)
                .map(v -> Response.created(URI.create("/api/v1/assets/" + v.id())).entity(v).build());
    }

    @PUT
    @Path("/apply")
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML, DocumentReader.X_YAML, DocumentReader.TEXT_YAML,
            DocumentReader.TEXT_X_YAML})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create the asset of this type and name, or set its url, tags, criticality and properties "
            + "to the body's; the same body again changes nothing. Scanflow-Apply says which.")
    @RequestBody(content = @Content(schema = @Schema(implementation = AssetInput.class)))
    @APIResponse(responseCode = "201", description = "Created",
            headers = @Header(name = Applied.HEADER, schema = @Schema(enumeration = {"created"})),
            content = @Content(schema = @Schema(implementation = AssetView.class)))
    @APIResponse(responseCode = "200", description = "Updated or unchanged",
            headers = @Header(name = Applied.HEADER, schema = @Schema(enumeration = {"updated", "unchanged"})),
            content = @Content(schema = @Schema(implementation = AssetView.class)))
    @APIResponse(responseCode = "422", description = "Invalid asset",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> apply(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        AssetInput input = documents.bind(documents.parse(body, contentType), AssetInput.class, "Invalid asset",
                SERVER_MANAGED);
        return service.apply(caller.tenantId(), caller.subject(), input)
                .map(a -> Response.status(a.outcome() == Applied.Outcome.CREATED ? 201 : 200).entity(a.value())
                        .header(Applied.HEADER, a.outcome().header()).build());
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "List assets, newest first; filter by type and tag")
    public Uni<Page<AssetView>> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
            @QueryParam("type") String type, @QueryParam("tag") String tag) {
        return service.list(caller.tenantId(), type, tag, Cursor.limit(limit), Cursor.decode(cursor));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "One asset")
    @APIResponse(responseCode = "404", description = "No such asset for this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "200", description = "The asset")
    public Uni<AssetView> get(@PathParam("id") String id) {
        return service.get(caller.tenantId(), PathIds.uuid(id, "asset"));
    }

    @PUT
    @Path("/{id}")
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML, DocumentReader.X_YAML, DocumentReader.TEXT_YAML,
            DocumentReader.TEXT_X_YAML})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Replace an asset")
    @RequestBody(content = @Content(schema = @Schema(implementation = AssetInput.class)))
    public Uni<AssetView> update(@PathParam("id") String id, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        UUID assetId = PathIds.uuid(id, "asset");
        return service.update(caller.tenantId(), assetId, read(body, contentType));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete an asset (refused with 409 while runs reference it)")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Uni<Response> delete(@PathParam("id") String id) {
        return service.delete(caller.tenantId(), PathIds.uuid(id, "asset")).map(v -> Response.noContent().build());
    }

    private AssetInput read(byte[] body, String contentType) {
        return documents.bind(documents.parse(body, contentType), AssetInput.class, "Invalid asset", SERVER_MANAGED);
    }

}
