package dev.scanflow.catalog;

import dev.scanflow.pipeline.PipelineQueries;
import dev.scanflow.pipeline.PipelineWriter;
import dev.scanflow.pipeline.definition.TemplateDefinition;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Stores a shipped system template file as loaded at start-up: nothing when its latest version
 * came from the same content, else a new version. Replicas starting together take turns (an
 * advisory lock per slug), so each content change is one version.
 */
@ApplicationScoped
public class SystemTemplatePublisher {

    /** What loading a system template's file did. */
    public enum Published { CREATED, NEW_VERSION, UNCHANGED }

    private final PipelineWriter writer;

    public SystemTemplatePublisher(PipelineWriter writer) {
        this.writer = writer;
    }

    @WithTransaction
    public Uni<Published> publishSystem(String slug, String sourceHash, TemplateDefinition definition) {
        UUID pipelineId = SystemTemplateFiles.pipelineId(slug);
        return Panache.getSession()
                .chain(session -> session.createNativeQuery("SELECT CAST(pg_advisory_xact_lock(hashtextextended(:key, 0)) AS text)")
                        .setParameter("key", "system-template:" + slug).getSingleResult())
                .chain(() -> PipelineQueries.systemVersion(pipelineId, null))
                .chain(latest -> {
                    if (latest != null && sourceHash.equals(latest.sourceHash)) {
                        return Uni.createFrom().item(Published.UNCHANGED);
                    }
                    return writer.writeSystemVersion(pipelineId, slug, sourceHash, definition, latest)
                            .replaceWith(latest == null ? Published.CREATED : Published.NEW_VERSION);
                });
    }
}
