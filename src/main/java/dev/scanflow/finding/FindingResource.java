package dev.scanflow.finding;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.Page;
import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import dev.scanflow.common.QueryValues;
import dev.scanflow.protocol.Finding;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The tenant's findings: thin layer over {@link FindingQueries}. */
@RegisterForReflection(methods = true)
@Path("/api/v1/findings")
@Tag(name = "Findings")
@SecurityRequirement(name = "jwt")
@Produces(MediaType.APPLICATION_JSON)
public class FindingResource {

    static final List<String> STATES = List.of("new", "unchanged", "reopened", "fixed");

    private final FindingQueries findings;
    private final Caller caller;

    public FindingResource(FindingQueries findings, Caller caller) {
        this.findings = findings;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The tenant's findings, most recently seen first; filter by asset_id, state, severity, kind "
            + "(several: comma-separated), tool, rule_id, suppressed")
    public Uni<Page<FindingView>> list(@QueryParam("asset_id") String assetId, @QueryParam("state") List<String> state,
            @QueryParam("severity") List<String> severity, @QueryParam("kind") List<String> kind,
            @QueryParam("tool") String tool, @QueryParam("rule_id") String ruleId,
            @QueryParam("suppressed") String suppressed, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        FindingQueries.Filter filter = new FindingQueries.Filter(QueryValues.uuid("asset_id", assetId),
                QueryValues.oneOf("state", state, STATES), QueryValues.oneOf("severity", severity, Finding.SEVERITIES),
                QueryValues.oneOf("kind", kind, Finding.KINDS.stream().sorted().toList()), blankToNull(tool),
                blankToNull(ruleId), QueryValues.bool("suppressed", suppressed), null);
        return findings.list(caller.tenantId(), filter, Cursor.limit(limit), Cursor.decode(cursor));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "A finding")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = FindingView.class)))
    @APIResponse(responseCode = "404", description = "No such finding for this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<FindingView> get(@PathParam("id") String id) {
        return findings.get(caller.tenantId(), PathIds.uuid(id, "finding"));
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
