package dev.scanflow.run;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Starting a run: POST /api/v1/pipelines/{id}/run (its own root, so it wins over the pipelines resource). */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/pipelines/{id}/run")
@Tag(name = "Pipeline runs")
@SecurityRequirement(name = "jwt")
@Produces({MediaType.APPLICATION_JSON, DocumentReader.YAML})
public class RunLaunchResource {

    private final RunLauncher launcher;
    private final RunQueries runs;
    private final DocumentReader documents;
    private final Caller caller;

    public RunLaunchResource(RunLauncher launcher, RunQueries runs, DocumentReader documents, Caller caller) {
        this.launcher = launcher;
        this.runs = runs;
        this.documents = documents;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR})
    @Operation(summary = "Run the latest version of a pipeline against an asset; with an Idempotency-Key header, a "
            + "repeat of the request returns the first one's run")
    @RequestBody(content = @Content(schema = @Schema(implementation = RunLaunchRequest.class),
            examples = @ExampleObject(name = "run", summary = "A run on an asset, with context and priority",
                    value = "{\"asset_id\": \"9a1e0c1e-6a2b-4d8e-9f3c-2b7d9e1f0a11\", \"priority\": \"high\", "
                            + "\"context\": {\"branch\": \"main\", \"environment\": \"prod\"}}")))
    @APIResponse(responseCode = "201", description = "The run, already started",
            content = @Content(schema = @Schema(implementation = RunViews.RunView.class)))
    @APIResponse(responseCode = "404", description = "No such pipeline for this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The pipeline is deactivated",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Invalid request (unknown asset, bad priority, ...), or "
            + "out-of-scope: the tenant's scan policy refuses one of the run's active steps on this asset (the rule named)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> run(@PathParam("id") String id, byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(IdempotencyKeys.HEADER) String idempotencyKey) {
        String key = IdempotencyKeys.read(idempotencyKey);
        UUID pipelineId = PathIds.uuid(id, "pipeline");
        RunLaunchRequest request = documents.bind(documents.parse(body, contentType), RunLaunchRequest.class,
                "Invalid run request", Set.of("id", "tenant_id", "status", "trigger_type", "triggered_by"));
        UUID tenant = caller.tenantId();
        return launcher.launch(tenant, pipelineId, request, RunOrigin.manual(caller.userName()), key)
                .chain(started -> runs.get(tenant, started.runIds().get(0)).map(run -> {
                    Response.ResponseBuilder answer = Response.created(URI.create("/api/v1/pipeline-runs/" + run.id()))
                            .entity(run);
                    return (started.replayed() ? answer.header("Idempotent-Replayed", "true") : answer).build();
                }));
    }

}
