package dev.scanflow.trigger;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.common.Page;
import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import dev.scanflow.pipeline.PipelineQueries;
import dev.scanflow.trigger.ScheduleViews.OutcomeView;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What every trigger of a pipeline did: schedules, fire calls, webhooks, discovery. */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/pipelines/{id}/trigger-outcomes")
@Tag(name = "Schedules")
@SecurityRequirement(name = "jwt")
@Produces({MediaType.APPLICATION_JSON, DocumentReader.YAML})
@APIResponse(responseCode = "404", description = "No such pipeline for this tenant",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class TriggerOutcomeResource {

    static final Set<String> TYPES = Set.of("schedule", "api", "webhook", "asset_discovery");

    private final TriggerOutcomes outcomes;
    private final PipelineQueries pipelines;
    private final Caller caller;

    public TriggerOutcomeResource(TriggerOutcomes outcomes, PipelineQueries pipelines, Caller caller) {
        this.outcomes = outcomes;
        this.pipelines = pipelines;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "What the pipeline's triggers did, newest first: every run started and every start not made "
            + "(skipped, queued, replaced, missed, held, debounced, filtered, unmatched) with its reason")
    @APIResponse(responseCode = "200", description = "The pipeline's trigger outcomes, newest first")
    public Uni<Page<OutcomeView>> list(@PathParam("id") String id, @QueryParam("trigger") String trigger,
            @QueryParam("type") String type, @QueryParam("limit") String limit) {
        if (type != null && !TYPES.contains(type)) {
            throw ApiException.badParameter("type", "must be one of schedule, api, webhook, asset_discovery");
        }
        int max = Cursor.limit(limit);
        UUID pipelineId = PathIds.uuid(id, "pipeline");
        return pipelines.pinLatest(caller.tenantId(), pipelineId)
                .chain(() -> outcomes.recent(caller.tenantId(), pipelineId, trigger, type, max))
                .map(list -> new Page<>(list.stream().map(OutcomeView::of).toList(), null));
    }
}
