package dev.scanflow.webhook;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import dev.scanflow.pipeline.PipelineQueries;
import dev.scanflow.webhook.WebhookSecrets.Created;
import dev.scanflow.webhook.WebhookSecrets.Metadata;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A pipeline's webhook secret: created or rotated by an admin, shown once, never answered again. */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/pipelines/{id}/webhook-secret")
@Tag(name = "Webhooks")
@SecurityRequirement(name = "jwt")
@Produces({MediaType.APPLICATION_JSON, DocumentReader.YAML})
@APIResponse(responseCode = "404", description = "No such pipeline for this tenant",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class WebhookSecretResource {

    private final WebhookSecrets secrets;
    private final PipelineQueries pipelines;
    private final Caller caller;

    public WebhookSecretResource(WebhookSecrets secrets, PipelineQueries pipelines, Caller caller) {
        this.secrets = secrets;
        this.pipelines = pipelines;
        this.caller = caller;
    }

    private Uni<UUID> owned(String id) {
        UUID pipelineId = PathIds.uuid(id, "pipeline");
        return pipelines.pinLatest(caller.tenantId(), pipelineId).replaceWith(pipelineId);
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create the pipeline's webhook secret, or rotate it (the previous one stays valid for "
            + "SCANFLOW_WEBHOOKS_ROTATION_GRACE, default 24 h); the secret is in this answer only")
    @APIResponse(responseCode = "201", description = "The new secret, shown once",
            content = @Content(schema = @Schema(implementation = Created.class)))
    @APIResponse(responseCode = "503", description = "This Scanflow has no SCANFLOW_SECRETS_KEY to keep secrets with",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> create(@PathParam("id") String id) {
        return owned(id).chain(pipelineId -> secrets.createOrRotate(caller.tenantId(), pipelineId, caller.userName()))
                .map(created -> Response.status(201).entity(created).header("Cache-Control", "no-store").build());
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "Whether the pipeline has a webhook secret, since when and by whom; never the secret")
    @APIResponse(responseCode = "200", description = "The webhook secret's metadata (never the secret)")
    public Uni<Metadata> metadata(@PathParam("id") String id) {
        return owned(id).chain(pipelineId -> secrets.metadata(caller.tenantId(), pipelineId));
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Remove the webhook secret: every delivery is refused from then on")
    @APIResponse(responseCode = "204", description = "Removed")
    public Uni<Response> delete(@PathParam("id") String id) {
        return owned(id).chain(pipelineId -> secrets.delete(caller.tenantId(), pipelineId)).map(deleted -> {
            if (!deleted) {
                throw ApiException.notFound("the webhook secret of pipeline " + id);
            }
            return Response.noContent().build();
        });
    }
}
