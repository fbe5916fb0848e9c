package dev.scanflow.fleet;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.Page;
import dev.scanflow.common.Problem;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The worker fleet: thin HTTP layer over {@link FleetService} and {@link WorkerRegistrations}. */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/workers")
@Tag(name = "Workers")
@SecurityRequirement(name = "jwt")
@Produces(MediaType.APPLICATION_JSON)
public class FleetResource {

    private final FleetService service;
    private final WorkerRegistrations registrations;
    private final DocumentReader documents;
    private final Caller caller;

    public FleetResource(FleetService service, WorkerRegistrations registrations, DocumentReader documents,
            Caller caller) {
        this.service = service;
        this.registrations = registrations;
        this.documents = documents;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.ADMIN, Roles.PLATFORM_ADMIN})
    @Operation(summary = "Register a worker: its tenant (null: shared, platform-admin only), capabilities, tools, "
            + "max_concurrency; answers its NATS access (an nkey seed shown once)")
    @APIResponse(responseCode = "201", description = "Registered (offline until its first heartbeat)",
            content = @Content(schema = @Schema(implementation = WorkerRegistrations.Registered.class)))
    @APIResponse(responseCode = "409", description = "The worker id is registered already, or nats_nkey is another worker's key",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Invalid registration",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> register(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        UUID tenant = caller.tenantId();
        var request = registrations.read(documents.parse(body, contentType), tenant);
        return registrations.register(request, tenant, caller.userName(), caller.hasRole(Roles.ADMIN),
                        caller.hasRole(Roles.PLATFORM_ADMIN))
                .map(r -> Response.created(URI.create("/api/v1/workers/" + r.worker().workerId())).entity(r).build());
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.PLATFORM_ADMIN})
    @Operation(summary = "Deregister a worker: its heartbeats are refused from now on, its steps go to other workers")
    @APIResponse(responseCode = "204", description = "Deregistered")
    @APIResponse(responseCode = "404", description = "No such worker visible to this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> deregister(@PathParam("id") String id) {
        return registrations.deregister(caller.tenantId(), id, caller.hasRole(Roles.ADMIN),
                caller.hasRole(Roles.PLATFORM_ADMIN)).map(v -> Response.noContent().build());
    }

    @GET
    @Path("/{id}/nats")
    @RolesAllowed({Roles.ADMIN, Roles.PLATFORM_ADMIN})
    @Operation(summary = "The worker's NATS permissions and the server configuration entry that grants them (no secret)")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = NatsAccess.class)))
    public Uni<NatsAccess> nats(@PathParam("id") String id) {
        return registrations.access(caller.tenantId(), id);
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER, Roles.PLATFORM_ADMIN})
    @Operation(summary = "The tenant's dedicated workers and the shared ones; filter by status and capability")
    public Uni<Page<WorkerView>> list(@QueryParam("status") String status, @QueryParam("capability") String capability,
            @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        int max = Cursor.limit(limit, 100, 500);
        return service.list(caller.tenantId(), status, capability, max, cursor);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER, Roles.PLATFORM_ADMIN})
    @Operation(summary = "One worker")
    @APIResponse(responseCode = "404", description = "No such worker visible to this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "200", description = "The worker")
    public Uni<WorkerView> get(@PathParam("id") String id) {
        return service.get(caller.tenantId(), id);
    }

    @POST
    @Path("/{id}/drain")
    @RolesAllowed({Roles.ADMIN, Roles.PLATFORM_ADMIN})
    @Operation(summary = "Drain: no new commands; running ones finish. Shared workers need platform-admin.")
    public Uni<WorkerView> drain(@PathParam("id") String id) {
        return service.setDraining(caller.tenantId(), id, true, caller.hasRole(Roles.ADMIN),
                caller.hasRole(Roles.PLATFORM_ADMIN));
    }

    @POST
    @Path("/{id}/resume")
    @RolesAllowed({Roles.ADMIN, Roles.PLATFORM_ADMIN})
    @Operation(summary = "Resume a drained worker. Shared workers need platform-admin.")
    public Uni<WorkerView> resume(@PathParam("id") String id) {
        return service.setDraining(caller.tenantId(), id, false, caller.hasRole(Roles.ADMIN),
                caller.hasRole(Roles.PLATFORM_ADMIN));
    }
}
