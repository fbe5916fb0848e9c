package dev.scanflow.pipeline;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The tenant pipelines whose latest version this replica wrote (a new version, a clone, a
 * delete) lately, so that what follows templates (the schedules) looks at those pipelines, not
 * at every template, on each tick. A pipeline stays listed for {@link #KEPT} after its write:
 * the write is marked inside its transaction, and a reader that looks before the commit looks
 * again later. The schedules' full resync covers what a crash loses from this list.
 */
@ApplicationScoped
public class TemplateChanges {

    /** How long a written pipeline stays listed: far longer than a template write's transaction. */
    static final Duration KEPT = Duration.ofSeconds(10);

    private final Map<UUID, Long> writtenAt = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    public TemplateChanges() {
        this(System::nanoTime);
    }

    /** With a clock of its own (tests). */
    TemplateChanges(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    void written(UUID pipelineId) {
        writtenAt.put(pipelineId, nanoTime.getAsLong());
    }

    /** The pipelines written within {@link #KEPT}; older ones leave the list. */
    public List<UUID> recent() {
        long oldest = nanoTime.getAsLong() - KEPT.toNanos();
        writtenAt.values().removeIf(at -> at - oldest < 0);
        return List.copyOf(writtenAt.keySet());
    }
}
