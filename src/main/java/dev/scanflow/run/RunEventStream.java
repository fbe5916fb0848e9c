package dev.scanflow.run;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A run's events as a stream: what happened so far, then new events as they are committed,
 * read from {@code run_events} (so any replica serves any run, and nothing is missed between
 * the history and the live part). It completes after the run's final event.
 */
@ApplicationScoped
public class RunEventStream {

    static final Set<String> FINAL = Set.of("pipeline.run.completed", "pipeline.run.failed",
            "pipeline.run.cancelled", "pipeline.run.timeout");
    private static final Duration POLL = Duration.ofMillis(250);

    private final RunQueries runs;

    public RunEventStream(RunQueries runs) {
        this.runs = runs;
    }

    /** The run's events until its final one, or until {@code gone} says the listener left. */
    public Multi<RunViews.RunEvent> stream(UUID tenant, UUID runId, BooleanSupplier gone) {
        return stream(tenant, runId, 0, gone);
    }

    /**
     * The run's events after {@code afterSeq} (a resumed stream's {@code Last-Event-ID}): none is
     * sent twice, none is skipped. A stream resumed after the final event ends at once.
     */
    public Multi<RunViews.RunEvent> stream(UUID tenant, UUID runId, long afterSeq, BooleanSupplier gone) {
        AtomicLong after = new AtomicLong(afterSeq);
        AtomicBoolean ended = new AtomicBoolean(false);
        return Multi.createBy().repeating()
                .uni(() -> ended.get() ? Uni.createFrom().item(List.<RunViews.RunEvent>of())
                        : runs.events(tenant, runId, after.get()).chain(batch -> !batch.isEmpty() || after.get() == 0
                                ? Uni.createFrom().item(batch)
                                // nothing new: if the run has ended, its final event was sent before
                                : runs.ended(tenant, runId).map(done -> {
                                    if (done) {
                                        ended.set(true);
                                    }
                                    return batch;
                                })))
                .withDelay(POLL)
                .whilst(batch -> !ended.get() && !gone.getAsBoolean())
                .onItem().transformToIterable(batch -> {
                    for (RunViews.RunEvent e : batch) {
                        after.set(Math.max(after.get(), e.seq()));
                        if (FINAL.contains(e.type()) && isLastRunEvent(batch, e)) {
                            ended.set(true);
                        }
                    }
                    return batch;
                });
    }

    /** A retried run emits a new run.started after its final event: only the last one counts. */
    private static boolean isLastRunEvent(List<RunViews.RunEvent> batch, RunViews.RunEvent e) {
        return batch.stream().filter(x -> x.type().startsWith("pipeline.run.")).reduce((a, b) -> b).orElse(e) == e;
    }
}
