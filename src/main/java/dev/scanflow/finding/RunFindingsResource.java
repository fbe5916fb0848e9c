package dev.scanflow.finding;

import dev.scanflow.auth.Caller;
import dev.scanflow.auth.Roles;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.Page;
import dev.scanflow.common.PathIds;
import dev.scanflow.common.Problem;
import dev.scanflow.common.QueryValues;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.engine.RunReads;
import dev.scanflow.protocol.Finding;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** What a run found and changed: its findings with their change, and the counts. */
@RegisterForReflection(methods = true)
@Path("/api/v1/pipeline-runs/{id}/findings")
@Tag(name = "Findings")
@SecurityRequirement(name = "jwt")
public class RunFindingsResource {

    /** SARIF's media type (SARIF 2.1.0, appendix: application/sarif+json). */
    public static final String SARIF = "application/sarif+json";

    private final FindingQueries findings;
    private final RunReads runs;
    private final Pool pool;
    private final Caller caller;
    private final ScanflowConfig config;
    private final String version;

    public RunFindingsResource(FindingQueries findings, RunReads runs, Pool pool, Caller caller, ScanflowConfig config,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
        this.findings = findings;
        this.config = config;
        this.version = version;
        this.runs = runs;
        this.pool = pool;
        this.caller = caller;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The run's findings with what the run made of each (change: new, unchanged, reopened, fixed); "
            + "filter by change and severity (several: comma-separated); pages in finding id order")
    @APIResponse(responseCode = "404", description = "No such run for this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Page<FindingView>> list(@PathParam("id") String id, @QueryParam("change") List<String> change,
            @QueryParam("severity") List<String> severity, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        UUID runId = PathIds.uuid(id, "run");
        FindingQueries.Filter filter = filter(change, severity);
        int max = Cursor.limit(limit, 100, 1000);
        UUID after = QueryValues.uuid("cursor", cursor);
        return known(runId).chain(() -> findings.ofRun(caller.tenantId(), runId, filter, max, after));
    }

    @GET
    @Produces(SARIF)
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "The run's findings (filters apply) as one SARIF 2.1.0 log: one run per tool, baselineState "
            + "from each finding's change, partialFingerprints scanflow/v1 (its identity)")
    @APIResponse(responseCode = "200", description = "SARIF 2.1.0", content = @Content(mediaType = SARIF))
    public Uni<byte[]> sarif(@PathParam("id") String id, @QueryParam("change") List<String> change,
            @QueryParam("severity") List<String> severity) {
        UUID runId = PathIds.uuid(id, "run");
        FindingQueries.Filter filter = filter(change, severity);
        SarifLog log = new SarifLog(new SarifLog.Header(version, runId, null, config.publicUrl()));
        // read, mapped and written off the event loop (FindingQueries.ofRun with no limit)
        return known(runId).chain(() -> findings.ofRun(caller.tenantId(), runId, filter, 0, null))
                .map(page -> log.bytes(page.items()));
    }

    @GET
    @Path("/summary")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER})
    @Operation(summary = "What the run changed: new (new or reopened), fixed, unchanged, suppressed; new and fixed by "
            + "severity")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = RunFindingCounts.class)))
    public Uni<RunFindingCounts> summary(@PathParam("id") String id) {
        UUID runId = PathIds.uuid(id, "run");
        return known(runId).chain(() -> findings.countsOf(pool, runId));
    }

    static FindingQueries.Filter filter(List<String> change, List<String> severity) {
        return new FindingQueries.Filter(null, null, QueryValues.oneOf("severity", severity, Finding.SEVERITIES), null,
                null, null, null, QueryValues.oneOf("change", change, FindingResource.STATES));
    }

    private Uni<Void> known(UUID runId) {
        return runs.exists(pool, caller.tenantId(), runId).invoke(exists -> {
            if (!exists) {
                throw ApiException.notFound("run " + runId);
            }
        }).replaceWithVoid();
    }
}
