package dev.scanflow.webhook;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.Page;
import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import dev.scanflow.pipeline.PipelineQueries;
import dev.scanflow.webhook.WebhookDeliveries.Delivery;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A pipeline's webhook delivery log. */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/pipelines/{id}/webhook-deliveries")
@Tag(name = "Webhooks")
@SecurityRequirement(name = "jwt")
@Produces({MediaType.APPLICATION_JSON, DocumentReader.YAML})
@APIResponse(responseCode = "404", description = "No such pipeline for this tenant",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class WebhookDeliveryResource {

    private final WebhookDeliveries deliveries;
    private final PipelineQueries pipelines;
    private final Caller caller;

    public WebhookDeliveryResource(WebhookDeliveries deliveries, PipelineQueries pipelines, Caller caller) {
        this.deliveries = deliveries;
        this.pipelines = pipelines;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The delivery log, newest first: time, delivery id, event, outcome and reason, runs "
            + "(trigger: only the deliveries one webhook trigger decided)")
    @APIResponse(responseCode = "200", description = "The webhook's recent deliveries")
    public Uni<Page<Delivery>> deliveries(@PathParam("id") String id, @QueryParam("trigger") String trigger,
            @QueryParam("limit") String limit) {
        int max = Cursor.limit(limit);
        UUID pipelineId = PathIds.uuid(id, "pipeline");
        return pipelines.pinLatest(caller.tenantId(), pipelineId).chain(() -> deliveries.recent(caller.tenantId(), pipelineId, trigger, max))
                .map(items -> new Page<>(items, null));
    }
}
