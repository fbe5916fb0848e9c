package dev.scanflow.pipeline;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The JSON Schema (draft 2020-12) of pipeline templates, for editors: no token needed, since
 * YAML editors fetch it by URL. The file is docs/schema/pipeline-template.schema.json.
 */
// a native image keeps the parameter annotations KnownQueryParameters reads only for registered classes
@RegisterForReflection(methods = true)
@Path("/api/v1/schemas")
@Tag(name = "Schemas")
public class TemplateSchemaResource {

    static final String MEDIA_TYPE = "application/schema+json";
    private final byte[] schema;

    public TemplateSchemaResource() {
        try (InputStream in = TemplateSchemaResource.class.getResourceAsStream("/schema/pipeline-template.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("schema/pipeline-template.schema.json is missing from the build");
            }
            this.schema = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @Path("/pipeline-template")
    @PermitAll
    @Produces({MEDIA_TYPE, "application/json"})
    @Operation(summary = "The JSON Schema of pipeline templates (for YAML/JSON editors)")
    @APIResponse(responseCode = "200", description = "The schema")
    public Response pipelineTemplate() {
        return Response.ok(schema).type(MEDIA_TYPE).header("Cache-Control", "public, max-age=300").build();
    }
}
