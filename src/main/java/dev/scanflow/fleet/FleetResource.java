package dev.scanflow.fleet;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.Page;
import dev.scanflow.common.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The worker fleet: thin HTTP layer over {@link FleetService}. */
@Path("/api/v1/workers")
@Tag(name = "Workers")
@SecurityRequirement(name = "jwt")
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "No valid token, or no UUID tenant_id claim",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The caller's role does not allow this",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class FleetResource {

    private final FleetService service;
    private final Caller caller;

    public FleetResource(FleetService service, Caller caller) {
        this.service = service;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER, Roles.PLATFORM_ADMIN})
    @Operation(summary = "The tenant's dedicated workers and the shared ones; filter by status and capability")
    public Uni<Page<WorkerView>> list(@QueryParam("status") String status, @QueryParam("capability") String capability,
            @QueryParam("limit") Integer limit, @QueryParam("cursor") String cursor) {
        int max = limit == null ? 100 : limit;
        if (max < 1 || max > 500) {
            throw ApiException.badParameter("limit", "must be between 1 and 500");
        }
        return service.list(caller.tenantId(), status, capability, max, cursor);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER, Roles.PLATFORM_ADMIN})
    @Operation(summary = "One worker")
    @APIResponse(responseCode = "404", description = "No such worker visible to this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
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
