package dev.scanflow.pipeline;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.ApiException;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Pipeline templates: thin HTTP layer over {@link PipelineService}. */
@Path("/api/v1/pipelines")
@Tag(name = "Pipeline templates")
@SecurityRequirement(name = "jwt")
@Produces({MediaType.APPLICATION_JSON, DocumentReader.YAML})
@APIResponse(responseCode = "401", description = "No valid token, or no UUID tenant_id claim",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The caller's role does not allow this",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class PipelineResource {

    static final Set<String> SERVER_MANAGED = Set.of("id", "tenant_id", "version", "created_at", "updated_at",
            "created_by", "is_active", "is_system", "pipeline_id");
    static final Set<String> STEP_SERVER_MANAGED = Set.of("tenant_id", "template_id", "pipeline_id", "created_at", "updated_at");
    static final String[] BODY_TYPES = {MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml"};

    private final PipelineService service;
    private final TemplateValidator validator;
    private final DocumentReader documents;
    private final Caller caller;

    public PipelineResource(PipelineService service, TemplateValidator validator, DocumentReader documents,
            Caller caller) {
        this.service = service;
        this.validator = validator;
        this.documents = documents;
        this.caller = caller;
    }


    public record CloneRequest(String name) {
    }

    public record ReorderRequest(List<String> order) {
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml"})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create a pipeline template (JSON, or YAML with Content-Type application/yaml)")
    @RequestBody(content = {@Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TemplateInput.class)),
            @Content(mediaType = DocumentReader.YAML, schema = @Schema(implementation = TemplateInput.class))})
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
        TemplateDefinition definition = readTemplate(body, contentType);
        return service.create(caller.tenantId(), caller.subject(), definition)
                .map(view -> Response.created(URI.create("/api/v1/pipelines/" + view.id())).entity(view).build());
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "List pipelines (latest versions), newest first")
    public Uni<Page<PipelineSummary>> list(@QueryParam("limit") Integer limit, @QueryParam("cursor") String cursor,
            @QueryParam("name") String name, @QueryParam("tag") String tag, @QueryParam("active") String active) {
        return service.list(caller.tenantId(), name, tag, parseBoolean("active", active), Cursor.limit(limit),
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
        return service.get(caller.tenantId(), PathIds.uuid(id, "pipeline"), parseVersion(version));
    }

    @GET
    @Path("/{id}/versions")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The versions of a pipeline, newest first")
    public Uni<Page<VersionView>> versions(@PathParam("id") String id) {
        return service.versions(caller.tenantId(), PathIds.uuid(id, "pipeline")).map(v -> new Page<>(v, null));
    }

    @PUT
    @Path("/{id}")
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml"})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Replace the template: writes version+1, earlier versions stay readable")
    @RequestBody(content = @Content(schema = @Schema(implementation = TemplateInput.class)))
    public Uni<PipelineView> update(@PathParam("id") String id, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        UUID pipelineId = PathIds.uuid(id, "pipeline");
        TemplateDefinition definition = readTemplate(body, contentType);
        return service.update(caller.tenantId(), caller.subject(), pipelineId, definition);
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Deactivate a pipeline; its history stays readable")
    @APIResponse(responseCode = "204", description = "Deactivated (also when it already was)")
    public Uni<Response> deactivate(@PathParam("id") String id) {
        return service.deactivate(caller.tenantId(), PathIds.uuid(id, "pipeline")).map(v -> Response.noContent().build());
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
        return service.cloneAs(caller.tenantId(), caller.subject(), pipelineId, request.name())
                .map(view -> Response.created(URI.create("/api/v1/pipelines/" + view.id())).entity(view).build());
    }

    // ------------------------------------------------------------------ steps

    @GET
    @Path("/{id}/steps")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The steps of the latest version (or ?version=N)")
    public Uni<Page<StepSpec>> steps(@PathParam("id") String id, @QueryParam("version") String version) {
        return service.get(caller.tenantId(), PathIds.uuid(id, "pipeline"), parseVersion(version))
                .map(v -> new Page<>(v.steps(), null));
    }

    @POST
    @Path("/{id}/steps")
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml"})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Add a step: writes a new version")
    @RequestBody(content = @Content(schema = @Schema(implementation = StepSpec.class)))
    public Uni<Response> addStep(@PathParam("id") String id, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        UUID pipelineId = PathIds.uuid(id, "pipeline");
        StepSpec step = readStep(body, contentType);
        if (step.id() == null) {
            throw ApiException.invalid("$.id", "is required");
        }
        return service.edit(caller.tenantId(), caller.subject(), pipelineId, current -> {
            List<StepSpec> steps = new ArrayList<>(current.steps());
            if (step.id() != null && steps.stream().anyMatch(s -> s.id().equals(step.id()))) {
                throw ApiException.conflict("the pipeline already has a step '" + step.id() + "'");
            }
            steps.add(step);
            return withSteps(current, steps);
        }, step.id()).map(view -> Response.status(201).entity(view).build());
    }

    @PUT
    @Path("/{id}/steps/{stepId}")
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml"})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Replace a step (addressed by its key): writes a new version")
    @RequestBody(content = @Content(schema = @Schema(implementation = StepSpec.class)))
    public Uni<PipelineView> updateStep(@PathParam("id") String id, @PathParam("stepId") String stepId, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        UUID pipelineId = PathIds.uuid(id, "pipeline");
        StepSpec sent = readStep(body, contentType);
        if (sent.id() != null && !sent.id().equals(stepId)) {
            throw ApiException.invalid("$.id", "must be '" + stepId + "' (the step in the path) or be left out");
        }
        StepSpec step = new StepSpec(stepId, sent.name(), sent.order(), sent.tool(), sent.capabilities(), sent.config(),
                sent.timeout(), sent.dependsOn(), sent.condition(), sent.maxRetries(), sent.retryDelaySeconds());
        return service.edit(caller.tenantId(), caller.subject(), pipelineId, current -> {
            List<StepSpec> steps = new ArrayList<>(current.steps());
            steps.set(indexOf(steps, stepId), step);
            return withSteps(current, steps);
        }, stepId);
    }

    @DELETE
    @Path("/{id}/steps/{stepId}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete a step: writes a new version; 409 while other steps depend on it or read it")
    public Uni<PipelineView> deleteStep(@PathParam("id") String id, @PathParam("stepId") String stepId) {
        return service.edit(caller.tenantId(), caller.subject(), PathIds.uuid(id, "pipeline"), current -> {
            List<StepSpec> steps = new ArrayList<>(current.steps());
            steps.remove(indexOf(steps, stepId));
            List<String> dependents = steps.stream()
                    .filter(s -> s.dependsOn().contains(stepId)
                            || (s.condition() != null && stepId.equals(s.condition().step())))
                    .map(StepSpec::id).toList();
            if (!dependents.isEmpty()) {
                throw ApiException.conflict("step '" + stepId + "' cannot be deleted: "
                        + String.join(", ", dependents) + " depend" + (dependents.size() == 1 ? "s" : "") + " on it");
            }
            if (steps.isEmpty()) {
                throw ApiException.conflict("step '" + stepId + "' is the last step; deactivate the pipeline instead");
            }
            return withSteps(current, steps);
        }, null);
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
        return service.edit(caller.tenantId(), caller.subject(), pipelineId, current -> {
            List<String> ids = current.steps().stream().map(StepSpec::id).toList();
            List<dev.scanflow.domain.ValidationError> errors = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < request.order().size(); i++) {
                String key = request.order().get(i);
                if (!ids.contains(key)) {
                    errors.add(dev.scanflow.domain.ValidationError.at("$.order[" + i + "]", "unknown step '" + key + "'"));
                } else if (!seen.add(key)) {
                    errors.add(dev.scanflow.domain.ValidationError.at("$.order[" + i + "]", "'" + key + "' is listed twice"));
                }
            }
            ids.stream().filter(k -> !request.order().contains(k)).forEach(k -> errors.add(
                    dev.scanflow.domain.ValidationError.at("$.order", "step '" + k + "' is missing")));
            if (!errors.isEmpty()) {
                throw ApiException.invalid("Invalid reorder request", errors);
            }
            List<StepSpec> steps = current.steps().stream().map(s -> new StepSpec(s.id(), s.name(),
                    request.order().indexOf(s.id()) + 1, s.tool(), s.capabilities(), s.config(), s.timeout(),
                    s.dependsOn(), s.condition(), s.maxRetries(), s.retryDelaySeconds())).toList();
            return withSteps(current, steps);
        }, null);
    }

    // ------------------------------------------------------------------ parsing

    private TemplateDefinition readTemplate(byte[] body, String contentType) {
        TemplateInput input = documents.bind(documents.parse(body, contentType), TemplateInput.class,
                "Invalid pipeline template", SERVER_MANAGED);
        TemplateValidator.Result result = validator.validate(input);
        if (!result.valid()) {
            throw ApiException.invalid("Invalid pipeline template", result.errors());
        }
        return result.definition();
    }

    private StepSpec readStep(byte[] body, String contentType) {
        return documents.bind(documents.parse(body, contentType), StepSpec.class, "Invalid step", STEP_SERVER_MANAGED);
    }

    private static TemplateDefinition withSteps(TemplateDefinition d, List<StepSpec> steps) {
        return new TemplateDefinition(d.name(), d.description(), d.tags(), d.triggers(), steps, d.settings());
    }

    private static int indexOf(List<StepSpec> steps, String stepId) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).id().equals(stepId)) {
                return i;
            }
        }
        throw ApiException.notFound("step '" + stepId + "'");
    }


    static Integer parseVersion(String version) {
        if (version == null || version.isEmpty()) {
            return null;
        }
        try {
            int v = Integer.parseInt(version);
            if (v < 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badParameter("version", "must be a positive integer");
        }
    }

    static Boolean parseBoolean(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        return switch (value) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw ApiException.badParameter(name, "must be true or false");
        };
    }
}
