package dev.scanflow.credential;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.Page;
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
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Scan credentials: thin layer over {@link Credentials}. Values go in, never out. */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/credentials")
@Tag(name = "Scan credentials")
@SecurityRequirement(name = "jwt")
@Produces(MediaType.APPLICATION_JSON)
public class CredentialResource {

    private static final Pattern WHERE = Pattern.compile("\\(line \\d+, column \\d+\\)$");

    private final Credentials credentials;
    private final DocumentReader documents;
    private final Caller caller;

    public CredentialResource(Credentials credentials, DocumentReader documents, Caller caller) {
        this.credentials = credentials;
        this.documents = documents;
        this.caller = caller;
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create a scan credential: {name, kind, value, username?, header?, scope?, usable_by?}; the "
            + "value is write-only")
    @APIResponse(responseCode = "201", description = "Created (without the value)",
            content = @Content(schema = @Schema(implementation = CredentialView.class)))
    @APIResponse(responseCode = "409", description = "A credential of that name exists",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Invalid: which field and why (never the value)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "This Scanflow has no SCANFLOW_SECRETS_KEY to seal values with",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> create(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        return credentials.create(caller.tenantId(), caller.userName(), parse(body, contentType))
                .map(v -> Response.created(URI.create("/api/v1/credentials/" + v.name())).entity(v).build());
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The tenant's scan credentials: names, kinds, scopes, timestamps; never a value")
    public Uni<Page<CredentialView>> list() {
        return credentials.list(caller.tenantId()).map(l -> new Page<>(l, null));
    }

    @GET
    @Path("/{name}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "A scan credential, without its value")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = CredentialView.class)))
    @APIResponse(responseCode = "404", description = "No such credential",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<CredentialView> get(@PathParam("name") String name) {
        return credentials.get(caller.tenantId(), name);
    }

    @DELETE
    @Path("/{name}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete a scan credential (409 while an asset or an active pipeline's latest version names it)")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "409", description = "In use: the assets and pipelines that name it",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> delete(@PathParam("name") String name) {
        return credentials.delete(caller.tenantId(), name).map(v -> Response.noContent().build());
    }

    @POST
    @Path("/{name}/rotate")
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "A new value: {value, grace?}; commands made before keep the previous value for the grace "
            + "period (default 0s: none)")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = CredentialView.class)))
    @APIResponse(responseCode = "422", description = "Invalid: which field and why (never the value)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<CredentialView> rotate(@PathParam("name") String name, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        return credentials.rotate(caller.tenantId(), name, parse(body, contentType));
    }

    /**
     * The body as a tree. A parser's message quotes the text around a syntax error, which may be
     * the secret: malformed bodies are answered with the position only.
     */
    private JsonNode parse(byte[] body, String contentType) {
        try {
            return documents.parse(body, contentType);
        } catch (ApiException e) {
            if (e.status() != 400 || "the request body is empty".equals(e.getMessage())) {
                throw e;
            }
            Matcher where = WHERE.matcher(e.getMessage() == null ? "" : e.getMessage());
            throw ApiException.malformed("the body is not valid " + (DocumentReader.isYaml(contentType) ? "YAML" : "JSON")
                    + (where.find() ? " " + where.group() : "") + "; the parser's message is left out, as it may quote "
                    + "the secret");
        }
    }
}
