package dev.scanflow.run;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.Instants;
import dev.scanflow.common.Page;
import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import dev.scanflow.common.QueryValues;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Pipeline runs: thin HTTP layer over {@link RunQueries} and {@link RunControl}. */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/pipeline-runs")
@Tag(name = "Pipeline runs")
@SecurityRequirement(name = "jwt")
@Produces({MediaType.APPLICATION_JSON, DocumentReader.YAML})
public class RunResource {

    static final List<String> RUN_STATUSES = List.of("pending", "running", "completed", "failed", "cancelled", "timeout");

    private final RunQueries service;
    private final RunControl control;
    private final RunEventStream live;
    private final Caller caller;

    public RunResource(RunQueries service, RunControl control, RunEventStream live, Caller caller) {
        this.service = service;
        this.control = control;
        this.live = live;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "List runs, newest first; filter by status (several: status=failed,timeout), pipeline_id, "
            + "asset_id and a created_at range [from, to)")
    public Uni<Page<RunViews.RunSummary>> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
            @QueryParam("status") List<String> status, @QueryParam("pipeline_id") String pipelineId,
            @QueryParam("asset_id") String assetId, @QueryParam("from") String from, @QueryParam("to") String to) {
        List<String> statuses = QueryValues.oneOf("status", status, RUN_STATUSES);
        return service.list(caller.tenantId(), statuses, QueryValues.uuid("pipeline_id", pipelineId),
                QueryValues.uuid("asset_id", assetId), Instants.parameter("from", from), Instants.parameter("to", to), Cursor.limit(limit),
                Cursor.decode(cursor));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "A run with its step runs")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = RunViews.RunView.class)))
    @APIResponse(responseCode = "404", description = "No such run for this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<RunViews.RunView> get(@PathParam("id") String id) {
        return service.get(caller.tenantId(), PathIds.uuid(id, "run"));
    }

    @POST
    @Path("/{id}/cancel")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR})
    @Operation(summary = "Cancel a run: open steps are cancelled and their workers told (idempotent)")
    @APIResponse(responseCode = "409", description = "The run already ended otherwise",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "200", description = "The run as it is now")
    public Uni<RunViews.RunView> cancel(@PathParam("id") String id) {
        UUID tenant = caller.tenantId();
        UUID runId = PathIds.uuid(id, "run");
        return control.cancel(tenant, runId).chain(() -> service.get(tenant, runId));
    }

    @POST
    @Path("/{id}/retry")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR})
    @Operation(summary = "Retry the failed, timed-out and cancelled steps of an ended run, and the steps they blocked")
    @APIResponse(responseCode = "409", description = "The run is not failed, cancelled or timed out",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "200", description = "The run, its failed steps pending again")
    public Uni<RunViews.RunView> retry(@PathParam("id") String id) {
        UUID tenant = caller.tenantId();
        UUID runId = PathIds.uuid(id, "run");
        return control.retry(tenant, runId).chain(() -> service.get(tenant, runId));
    }

    @GET
    @Path("/{id}/steps")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The step runs of a run")
    public Uni<Page<RunViews.StepRunView>> steps(@PathParam("id") String id) {
        UUID runId = PathIds.uuid(id, "run");
        return service.get(caller.tenantId(), runId).map(run -> new Page<>(run.stepRuns(), null));
    }

    @GET
    @Path("/{id}/steps/{stepId}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "One step run (stepId is the step key)")
    public Uni<RunViews.StepRunView> step(@PathParam("id") String id, @PathParam("stepId") String stepId) {
        return service.step(caller.tenantId(), PathIds.uuid(id, "run"), stepId);
    }

    @GET
    @Path("/{id}/steps/{stepId}/logs")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "Log lines the worker sent for a step, oldest first (limit up to 1000, cursor)")
    public Uni<Page<RunViews.LogLine>> logs(@PathParam("id") String id, @PathParam("stepId") String stepId,
            @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        int max = Cursor.limit(limit, 500, 1000);
        Long after = null;
        if (cursor != null && !cursor.isEmpty()) {
            try {
                after = Long.parseLong(cursor);
            } catch (NumberFormatException e) {
                throw ApiException.badParameter("cursor", "not a cursor returned by this API");
            }
        }
        return service.logs(caller.tenantId(), PathIds.uuid(id, "run"), stepId, max, after);
    }

    @GET
    @Path("/{id}/history")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "Every event of a run so far, in order (as published on NATS)")
    public Uni<Page<RunViews.RunEvent>> history(@PathParam("id") String id) {
        UUID runId = PathIds.uuid(id, "run");
        return service.get(caller.tenantId(), runId)
                .chain(run -> service.events(caller.tenantId(), runId, 0))
                .map(events -> new Page<>(events, null));
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @org.jboss.resteasy.reactive.RestStreamElementType(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "Server-Sent Events: the run's events so far, then as they happen; each carries an id, and a "
            + "client that reconnects with Last-Event-ID gets the events after it; the stream ends when the run ends")
    public Uni<Void> events(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
            @Context SseEventSink sink, @Context Sse sse) {
        UUID runId = PathIds.uuid(id, "run");
        UUID tenant = caller.tenantId();
        long after = lastEventId(lastEventId);
        // the run is looked up before anything is sent: an unknown or another tenant's run is a 404
        return service.get(tenant, runId).invoke(run -> live.stream(tenant, runId, after, sink::isClosed).subscribe().with(
                        // id: the event's sequence, so a client that reconnects with Last-Event-ID resumes after it
                        event -> sink.send(sse.newEventBuilder().id(String.valueOf(event.seq()))
                                .data(RunViews.RunEvent.class, event).build()),
                        failure -> sink.close(),
                        sink::close))
                .replaceWithVoid();
    }

    private static long lastEventId(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            long seq = Long.parseLong(value.trim());
            if (seq >= 0) {
                return seq;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw ApiException.badParameter("Last-Event-ID", "must be the id of an event this stream sent (a number)");
    }

}
