package dev.scanflow.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.Page;
import dev.scanflow.common.Problem;
import dev.scanflow.common.QueryValues;
import dev.scanflow.pipeline.PipelineView;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
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
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The system templates (the design document's "Pipeline Templates (System)"): thin layer over {@link TemplateCatalog}. */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/pipeline-templates")
@Tag(name = "System templates")
@SecurityRequirement(name = "jwt")
@Produces({MediaType.APPLICATION_JSON, DocumentReader.YAML})
public class PipelineTemplateResource {

    private final TemplateCatalog catalog;
    private final DocumentReader documents;
    private final Caller caller;

    public PipelineTemplateResource(TemplateCatalog catalog, DocumentReader documents, Caller caller) {
        this.catalog = catalog;
        this.documents = documents;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "List the system templates, each with whether your online workers can run its steps today "
            + "(?tag=a,b keeps templates with any of the tags; ?runnable=true|false)")
    @APIResponse(responseCode = "400", description = "A query parameter is invalid",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "200", description = "The system templates with their coverage")
    public Uni<Page<TemplateListing>> list(@QueryParam("tag") String tag, @QueryParam("runnable") String runnable) {
        Set<String> tags = new LinkedHashSet<>();
        if (tag != null && !tag.isBlank()) {
            Arrays.stream(tag.split(",")).map(String::trim).filter(t -> !t.isEmpty()).forEach(tags::add);
        }
        return catalog.list(caller.tenantId(), tags, QueryValues.bool("runnable", runnable)).map(items -> new Page<>(items, null));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "A system template by id or slug (e.g. full-security-scan): the latest version or ?version=N; "
            + "Accept: application/yaml for YAML")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = PipelineView.class)))
    @APIResponse(responseCode = "404", description = "No such system template (or version)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<PipelineView> get(@PathParam("id") String id, @QueryParam("version") String version) {
        return catalog.get(id, QueryValues.version(version));
    }

    @POST
    @Path("/{id}/use")
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML, DocumentReader.X_YAML, DocumentReader.TEXT_YAML,
            DocumentReader.TEXT_X_YAML, MediaType.WILDCARD})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create your own pipeline from a system template's latest version, with an optional new name "
            + "and overrides: description, tags, triggers (replaced), settings (merged), steps.<id> (merged into the "
            + "step; enabled: false leaves it out)")
    @APIResponse(responseCode = "201", description = "Created, version 1, with derived_from",
            content = @Content(schema = @Schema(implementation = PipelineView.class)))
    @APIResponse(responseCode = "404", description = "No such system template",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "You already have a pipeline of that name",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "The overrides, or the template they make, are invalid",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> use(@PathParam("id") String id, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        JsonNode request = body == null || body.length == 0 ? null
                : documents.parse(body, contentType == null || contentType.startsWith("*/*")
                        ? MediaType.APPLICATION_JSON : contentType);
        return catalog.use(caller.tenantId(), caller.subject(), id, request)
                .map(view -> Response.created(URI.create("/api/v1/pipelines/" + view.id())).entity(view).build());
    }
}
