package dev.scanflow.notification;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.Page;
import dev.scanflow.common.Problem;
import dev.scanflow.config.ScanflowConfig;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A tenant's notification channels: thin layer over {@link NotificationChannels}. */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/notification-channels")
@Tag(name = "Notifications")
@SecurityRequirement(name = "jwt")
@Produces(MediaType.APPLICATION_JSON)
public class NotificationChannelResource {

    private final NotificationChannels channels;
    private final DocumentReader documents;
    private final Caller caller;
    private final ScanflowConfig config;

    public NotificationChannelResource(NotificationChannels channels, DocumentReader documents, Caller caller,
            ScanflowConfig config) {
        this.channels = channels;
        this.documents = documents;
        this.caller = caller;
        this.config = config;
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml"})
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create a channel: {name, type: slack|email|webhook, url | recipients}; a webhook channel's "
            + "signing secret is in this answer only")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = ChannelView.class)))
    @APIResponse(responseCode = "409", description = "A channel of that name exists",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Invalid: which field and why (a URL that resolves to a private "
            + "address included)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "This Scanflow has no SCANFLOW_SECRETS_KEY to keep channel URLs "
            + "and secrets with", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> create(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        return channels.create(caller.tenantId(), caller.userName(), documents.parse(body, contentType))
                .map(v -> Response.created(URI.create("/api/v1/notification-channels/" + v.name())).entity(v).build());
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The tenant's channels, URLs redacted")
    public Uni<Page<ChannelView>> list() {
        return channels.list(caller.tenantId()).map(l -> new Page<>(l, null));
    }

    @GET
    @Path("/{name}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "A channel, its URL redacted")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ChannelView.class)))
    @APIResponse(responseCode = "404", description = "No such channel",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ChannelView> get(@PathParam("name") String name) {
        return channels.get(caller.tenantId(), name);
    }

    @DELETE
    @Path("/{name}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete a channel (its deliveries with it)")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Uni<Response> delete(@PathParam("name") String name) {
        return channels.delete(caller.tenantId(), name).map(v -> Response.noContent().build());
    }

    @POST
    @Path("/{name}/test")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Send a test message now, once, and answer with the delivery's outcome")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = DeliveryView.class)))
    public Uni<DeliveryView> test(@PathParam("name") String name) {
        return channels.test(caller.tenantId(), caller.userName(), name, config.publicUrl());
    }
}
