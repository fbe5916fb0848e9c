package dev.scanflow.notification;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.Page;
import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A run's notifications: each delivery with its channel, attempts, outcome and last error. */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/pipeline-runs/{id}/notifications")
@Tag(name = "Notifications")
@SecurityRequirement(name = "jwt")
@Produces(MediaType.APPLICATION_JSON)
public class RunNotificationResource {

    private final NotificationChannels channels;
    private final Caller caller;

    public RunNotificationResource(NotificationChannels channels, Caller caller) {
        this.channels = channels;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The run's notification deliveries")
    @APIResponse(responseCode = "404", description = "No such run for this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "200", description = "The run's deliveries")
    public Uni<Page<DeliveryView>> list(@PathParam("id") String id) {
        return channels.ofRun(caller.tenantId(), PathIds.uuid(id, "pipeline run")).map(l -> new Page<>(l, null));
    }
}
