package dev.scanflow.trigger;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.Page;
import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import dev.scanflow.run.IdempotencyKeys;
import dev.scanflow.trigger.ScheduleViews.FireView;
import dev.scanflow.trigger.ScheduleViews.OutcomeView;
import dev.scanflow.trigger.ScheduleViews.ScheduleView;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A pipeline's schedule triggers: their state and next fires, pause and resume, fire now (what
 * Kubernetes CronJobs call), and what each fire did. {@code key} is the trigger's name, or its
 * position in the template's triggers (0-based) when it has none.
 */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/pipelines/{id}/schedules")
@Tag(name = "Schedules")
@SecurityRequirement(name = "jwt")
@Produces({MediaType.APPLICATION_JSON, DocumentReader.YAML})
@APIResponse(responseCode = "404", description = "No such pipeline for this tenant, or no such schedule trigger",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class ScheduleResource {

    private final ScheduleService service;
    private final Caller caller;

    public ScheduleResource(ScheduleService service, Caller caller) {
        this.service = service;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The pipeline's schedule triggers: state, last fire, the next 10 fire times with their UTC "
            + "offsets, and the latest outcomes")
    @APIResponse(responseCode = "200", description = "The pipeline's schedule triggers")
    public Uni<Page<ScheduleView>> list(@PathParam("id") String id) {
        return service.list(caller.tenantId(), PathIds.uuid(id, "pipeline")).map(items -> new Page<>(items, null));
    }

    @GET
    @Path("/{key}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "One schedule trigger, by name or position")
    @APIResponse(responseCode = "200", description = "The schedule trigger")
    public Uni<ScheduleView> get(@PathParam("id") String id, @PathParam("key") String key) {
        return service.get(caller.tenantId(), PathIds.uuid(id, "pipeline"), key);
    }

    @POST
    @Path("/{key}/pause")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR})
    @Operation(summary = "Pause a schedule: it fires nothing (neither here nor through the fire endpoint) until resumed")
    @APIResponse(responseCode = "200", description = "The schedule, paused")
    public Uni<ScheduleView> pause(@PathParam("id") String id, @PathParam("key") String key) {
        return service.setPaused(caller.tenantId(), PathIds.uuid(id, "pipeline"), key, true);
    }

    @POST
    @Path("/{key}/resume")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR})
    @Operation(summary = "Resume a schedule; the fires the pause held back are missed fires, handled by its catchup")
    @APIResponse(responseCode = "200", description = "The schedule, running again")
    public Uni<ScheduleView> resume(@PathParam("id") String id, @PathParam("key") String key) {
        return service.setPaused(caller.tenantId(), PathIds.uuid(id, "pipeline"), key, false);
    }

    @POST
    @Path("/{key}/fire")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR})
    @Operation(summary = "Fire a schedule now for its targets (runs start as trigger_type api); with an "
            + "Idempotency-Key, a repeat returns the first request's runs and starts nothing")
    @APIResponse(responseCode = "200", description = "What the fire did: the runs it started and every outcome",
            content = @Content(schema = @Schema(implementation = FireView.class)))
    @APIResponse(responseCode = "409", description = "The schedule is paused, or the pipeline deactivated",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> fire(@PathParam("id") String id, @PathParam("key") String key,
            @HeaderParam(IdempotencyKeys.HEADER) String idempotencyKey) {
        String idem = IdempotencyKeys.read(idempotencyKey);
        return service.fire(caller.tenantId(), PathIds.uuid(id, "pipeline"), key, caller.userName(), idem)
                .map(fired -> {
                    Response.ResponseBuilder answer = Response.ok(fired);
                    return (fired.replayed() ? answer.header("Idempotent-Replayed", "true") : answer).build();
                });
    }

    @GET
    @Path("/{key}/outcomes")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "What the schedule's fires did, newest first: started, skipped, queued, replaced, missed, "
            + "held, with the reason")
    @APIResponse(responseCode = "200", description = "The trigger's outcomes, newest first")
    public Uni<Page<OutcomeView>> outcomes(@PathParam("id") String id, @PathParam("key") String key,
            @QueryParam("limit") String limit) {
        return service.outcomes(caller.tenantId(), PathIds.uuid(id, "pipeline"), key, Cursor.limit(limit))
                .map(items -> new Page<>(items, null));
    }
}
