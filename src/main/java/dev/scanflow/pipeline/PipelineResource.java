package dev.scanflow.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.Applied;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.Page;
import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import dev.scanflow.common.QueryValues;
import dev.scanflow.pipeline.definition.StepSpec;
import dev.scanflow.pipeline.definition.TemplateDefinition;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
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
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Pipeline templates: thin HTTP layer over {@link PipelineBodies}, {@link PipelineQueries} and {@link PipelineWriter}. */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/pipelines")
@Tag(name = "Pipeline templates")
@SecurityRequirement(name = "jwt")
@Produces({MediaType.APPLICATION_JSON, DocumentReader.YAML})
public class PipelineResource {

    static final String TEMPLATE_EXAMPLE_JSON = """
            {"name": "Full Security Scan", "description": "Complete security assessment for applications",
             "triggers": [{"type": "manual"}, {"type": "schedule", "cron": "0 2 * * *", "timezone": "UTC"},
                          {"type": "webhook", "events": ["push"]}],
             "steps": [
               {"id": "sast", "name": "Static Analysis", "tool": "semgrep", "capabilities": ["sast"],
                "config": {"rules": ["p/security-audit"]}, "timeout": "30m"},
               {"id": "dast", "name": "Dynamic Analysis", "tool": "nuclei", "capabilities": ["dast"],
                "depends_on": ["sast"], "timeout": "2h",
                "condition": {"type": "expression", "value": "asset.type == 'web_application' && asset.has_url"}}],
             "settings": {"max_parallel_steps": 3, "notification": {"on_failure": true, "channels": ["slack"]}}}""";
    private final PipelineBodies bodies;
    private final PipelineQueries queries;
    private final PipelineWriter writer;
    private final DocumentReader documents;
    private final Caller caller;

    public PipelineResource(PipelineBodies bodies, PipelineQueries queries, PipelineWriter writer, DocumentReader documents,
            Caller caller) {
        this.bodies = bodies;
        this.queries = queries;
        this.writer = writer;
        this.documents = documents;
        this.caller = caller;
    }

    @RegisterForReflection // bound from bodies by DocumentReader
    public record CloneRequest(String name) {
    }

    @RegisterForReflection
    public record ReorderRequest(List<String> order) {
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML, DocumentReader.X_YAML, DocumentReader.TEXT_YAML,
            DocumentReader.TEXT_X_YAML})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create a pipeline template (JSON, or YAML with Content-Type application/yaml)")
    @RequestBody(content = {@Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TemplateDefinition.class),
            examples = @ExampleObject(name = "design-document", summary = "A template (the short forms of the design document, such as trigger: [manual], are accepted too)",
                    value = TEMPLATE_EXAMPLE_JSON)),
            @Content(mediaType = DocumentReader.YAML, schema = @Schema(implementation = TemplateDefinition.class))})
    @APIResponse(responseCode = "201", description = "Created, version 1",
            content = @Content(schema = @Schema(implementation = PipelineView.class)))
    @APIResponse(responseCode = "400", description = "Malformed JSON or YAML",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The name is taken",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Body too large",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Invalid template: every error with its JSON path",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> create(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        return bodies.read(documents.parse(body, contentType), caller.tenantId(), null)
                .chain(definition -> writer.create(caller.tenantId(), caller.subject(), definition))
                .map(view -> Response.created(URI.create("/api/v1/pipelines/" + view.id())).entity(view).build());
    }

    @PUT
    @Path("/apply")
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML, DocumentReader.X_YAML, DocumentReader.TEXT_YAML,
            DocumentReader.TEXT_X_YAML})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create the pipeline named in the body, or write a new version only when the body differs "
            + "from the latest; the same body again is a no-op (200, same version). Scanflow-Apply says which.")
    @RequestBody(content = @Content(schema = @Schema(implementation = TemplateDefinition.class)))
    @APIResponse(responseCode = "201", description = "Created (Scanflow-Apply: created)",
            headers = @Header(name = Applied.HEADER, schema = @Schema(enumeration = {"created"})),
            content = @Content(schema = @Schema(implementation = PipelineView.class)))
    @APIResponse(responseCode = "200", description = "A new version (updated) or the latest as it was (unchanged)",
            headers = @Header(name = Applied.HEADER, schema = @Schema(enumeration = {"updated", "unchanged"})),
            content = @Content(schema = @Schema(implementation = PipelineView.class)))
    @APIResponse(responseCode = "422", description = "Invalid template: every error with its JSON path",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> apply(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        return bodies.read(documents.parse(body, contentType), caller.tenantId(), null)
                .chain(definition -> writer.apply(caller.tenantId(), caller.subject(), definition))
                .map(a -> Response.status(a.outcome() == Applied.Outcome.CREATED ? 201 : 200).entity(a.value())
                        .header(Applied.HEADER, a.outcome().header()).build());
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "List pipelines (latest versions), newest first")
    public Uni<Page<PipelineSummary>> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
            @QueryParam("name") String name, @QueryParam("tag") String tag, @QueryParam("active") String active) {
        return queries.list(caller.tenantId(), name, tag, QueryValues.bool("active", active), Cursor.limit(limit),
                Cursor.decode(cursor));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "A pipeline with its steps: the latest version, or ?version=N (Accept: application/yaml for YAML)")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = PipelineView.class)))
    @APIResponse(responseCode = "404", description = "No such pipeline (or version) for this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<PipelineView> get(@PathParam("id") String id, @QueryParam("version") String version) {
        return queries.get(caller.tenantId(), PathIds.uuid(id, "pipeline"), QueryValues.version(version));
    }

    @GET
    @Path("/{id}/versions")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The versions of a pipeline, newest first")
    public Uni<Page<VersionView>> versions(@PathParam("id") String id) {
        return queries.versions(caller.tenantId(), PathIds.uuid(id, "pipeline")).map(v -> new Page<>(v, null));
    }

    @PUT
    @Path("/{id}")
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML, DocumentReader.X_YAML, DocumentReader.TEXT_YAML,
            DocumentReader.TEXT_X_YAML})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Replace the template: writes version+1, earlier versions stay readable")
    @RequestBody(content = @Content(schema = @Schema(implementation = TemplateDefinition.class)))
    public Uni<PipelineView> update(@PathParam("id") String id, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        UUID pipelineId = PathIds.uuid(id, "pipeline");
        return bodies.read(documents.parse(body, contentType), caller.tenantId(), pipelineId)
                .chain(definition -> writer.update(caller.tenantId(), caller.subject(), pipelineId, definition));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Deactivate a pipeline; its history stays readable")
    @APIResponse(responseCode = "204", description = "Deactivated (also when it already was)")
    public Uni<Response> deactivate(@PathParam("id") String id) {
        return writer.deactivate(caller.tenantId(), PathIds.uuid(id, "pipeline")).map(v -> Response.noContent().build());
    }

    @POST
    @Path("/{id}/clone")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Copy the latest version under a new name, as version 1 of a new pipeline")
    public Uni<Response> cloneAs(@PathParam("id") String id, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        UUID pipelineId = PathIds.uuid(id, "pipeline");
        CloneRequest request = documents.bind(documents.parse(body, contentType), CloneRequest.class,
                "Invalid clone request", Set.of());
        return writer.cloneAs(caller.tenantId(), caller.subject(), pipelineId, request.name())
                .map(view -> Response.created(URI.create("/api/v1/pipelines/" + view.id())).entity(view).build());
    }

    // ------------------------------------------------------------------ steps

    @GET
    @Path("/{id}/steps")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The steps of the latest version (or ?version=N)")
    public Uni<Page<StepSpec>> steps(@PathParam("id") String id, @QueryParam("version") String version) {
        return queries.get(caller.tenantId(), PathIds.uuid(id, "pipeline"), QueryValues.version(version))
                .map(v -> new Page<>(v.steps(), null));
    }

    @POST
    @Path("/{id}/steps")
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML, DocumentReader.X_YAML, DocumentReader.TEXT_YAML,
            DocumentReader.TEXT_X_YAML})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Add a step: writes a new version")
    @RequestBody(content = @Content(schema = @Schema(implementation = StepSpec.class)))
    public Uni<Response> addStep(@PathParam("id") String id, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        UUID pipelineId = PathIds.uuid(id, "pipeline");
        JsonNode step = documents.parse(body, contentType);
        String stepId = step.path("id").asText(null);
        return writer.edit(caller.tenantId(), caller.subject(), pipelineId,
                        (template, current) -> StepEdits.add(template, step), stepId)
                .map(view -> Response.status(201).entity(view).build());
    }

    @PUT
    @Path("/{id}/steps/{stepId}")
    @Consumes({MediaType.APPLICATION_JSON, DocumentReader.YAML, DocumentReader.X_YAML, DocumentReader.TEXT_YAML,
            DocumentReader.TEXT_X_YAML})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Replace a step (addressed by its key) with the body: writes a new version")
    @RequestBody(content = @Content(schema = @Schema(implementation = StepSpec.class)))
    public Uni<PipelineView> updateStep(@PathParam("id") String id, @PathParam("stepId") String stepId, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        UUID pipelineId = PathIds.uuid(id, "pipeline");
        JsonNode step = documents.parse(body, contentType);
        return writer.edit(caller.tenantId(), caller.subject(), pipelineId,
                (template, current) -> StepEdits.replace(template, stepId, step), stepId);
    }

    @PATCH
    @Path("/{id}/steps/{stepId}")
    @Consumes({"application/merge-patch+json", MediaType.APPLICATION_JSON, "application/yaml"})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Change some fields of a step (JSON Merge Patch, RFC 7396: what you leave out stays, null "
            + "removes a field): writes a new version")
    @RequestBody(content = @Content(mediaType = "application/merge-patch+json",
            schema = @Schema(implementation = StepSpec.class)))
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = PipelineView.class)))
    @APIResponse(responseCode = "404", description = "No such pipeline or step",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "The step, patched, is invalid",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<PipelineView> patchStep(@PathParam("id") String id, @PathParam("stepId") String stepId, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        UUID pipelineId = PathIds.uuid(id, "pipeline");
        JsonNode patch = documents.parse(body, contentType != null && contentType.startsWith("application/merge-patch+json")
                ? MediaType.APPLICATION_JSON : contentType);
        return writer.edit(caller.tenantId(), caller.subject(), pipelineId,
                (template, current) -> StepEdits.patch(template, stepId, patch), stepId);
    }

    @DELETE
    @Path("/{id}/steps/{stepId}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete a step: writes a new version; 409 while other steps depend on it or read it")
    public Uni<PipelineView> deleteStep(@PathParam("id") String id, @PathParam("stepId") String stepId) {
        return writer.edit(caller.tenantId(), caller.subject(), PathIds.uuid(id, "pipeline"),
                (template, current) -> StepEdits.delete(template, current, stepId), null);
    }

    @POST
    @Path("/{id}/steps/reorder")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Set the display order of the steps: body {\"order\": [every step id once]}")
    public Uni<PipelineView> reorder(@PathParam("id") String id, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        UUID pipelineId = PathIds.uuid(id, "pipeline");
        ReorderRequest request = documents.bind(documents.parse(body, contentType), ReorderRequest.class,
                "Invalid reorder request", Set.of());
        if (request.order() == null || request.order().isEmpty()) {
            throw ApiException.invalid("$.order", "list every step id once, in the new order");
        }
        return writer.edit(caller.tenantId(), caller.subject(), pipelineId,
                (template, current) -> StepEdits.reorder(template, request.order()), null);
    }
}
