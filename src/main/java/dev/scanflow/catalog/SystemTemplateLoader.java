package dev.scanflow.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.pipeline.definition.TemplateDefinition;
import dev.scanflow.pipeline.definition.TemplateReader;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Loads the shipped system templates at start-up: each file is read and validated like any
 * template, and stored as a new system version when its content changed since the version
 * stored last. A shipped file that does not validate stops the start (it is a build defect,
 * and a half-loaded catalogue would hide it).
 */
@ApplicationScoped
public class SystemTemplateLoader {

    private static final Logger LOG = Logger.getLogger(SystemTemplateLoader.class);

    private final DocumentReader documents;
    private final TemplateReader reader;
    private final SystemTemplatePublisher publisher;
    private final Map<String, SystemTemplatePublisher.Published> outcomes = new ConcurrentHashMap<>();

    public SystemTemplateLoader(DocumentReader documents, TemplateReader reader, SystemTemplatePublisher publisher) {
        this.documents = documents;
        this.reader = reader;
        this.publisher = publisher;
    }

    void start(@Observes StartupEvent event) throws Throwable {
        List<SystemTemplateFiles.File> files = SystemTemplateFiles.all();
        List<Parsed> parsed = new ArrayList<>();
        for (SystemTemplateFiles.File file : files) {
            parsed.add(new Parsed(file, definition(file)));
        }
        VertxContextSupport.subscribeAndAwait(() -> Multi.createFrom().iterable(parsed)
                .onItem().transformToUniAndConcatenate(p -> publisher.publishSystem(p.file().slug(), p.file().sha256(),
                                p.definition())
                        .invoke(outcome -> outcomes.put(p.file().slug(), outcome)))
                .collect().asList()
                .replaceWithVoid());
        LOG.infof("system templates: %s", outcomes);
    }

    private record Parsed(SystemTemplateFiles.File file, TemplateDefinition definition) {
    }

    /** Reads a shipped file as any template is read; its problems, all of them, stop the start. */
    TemplateDefinition definition(SystemTemplateFiles.File file) {
        JsonNode tree = documents.parse(file.content(), DocumentReader.YAML);
        TemplateReader.Result result = reader.read(tree);
        if (!result.valid()) {
            throw new IllegalStateException("system template " + SystemTemplateFiles.DIRECTORY + file.slug()
                    + ".yaml is invalid: " + result.errors());
        }
        return result.definition();
    }

    /** What the last start did with each file (for tests and the log). */
    public Map<String, SystemTemplatePublisher.Published> outcomes() {
        return Map.copyOf(outcomes);
    }
}
