package dev.scanflow.webhook;

import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import dev.scanflow.webhook.WebhookIntake.Answer;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Where GitHub, GitLab and Standard Webhooks senders deliver: no token, the signature authenticates. */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/webhooks/{pipelineId}")
@Tag(name = "Webhooks")
public class WebhookResource {

    private final WebhookIntake intake;

    public WebhookResource(WebhookIntake intake) {
        this.intake = intake;
    }

    @POST
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Deliver an event (GitHub X-Hub-Signature-256, GitLab X-Gitlab-Token or Standard Webhooks "
            + "webhook-signature); 202 with what it started")
    @APIResponse(responseCode = "202", description = "Accepted: the runs it started, or why it started none "
            + "(filtered, unmatched, ignored, skipped, replayed)",
            content = @Content(schema = @Schema(implementation = Answer.class)))
    @APIResponse(responseCode = "400", description = "A malformed signature header, event or body",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "No secret set, or the signature is missing, wrong or stale",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "The body is larger than 1 MiB",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> deliver(@PathParam("pipelineId") String pipelineId, @Context HttpHeaders headers, byte[] body) {
        return intake.receive(PathIds.uuid(pipelineId, "pipeline"), headers::getHeaderString, body == null ? new byte[0] : body,
                        headers.getHeaderString(HttpHeaders.CONTENT_TYPE))
                .map(answer -> Response.accepted(answer).build());
    }
}
