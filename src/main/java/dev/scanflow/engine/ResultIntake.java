package dev.scanflow.engine;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.WorkerResult;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Worker results into transactions (docs/adr/0004-batched-results.md): while fewer than
 * {@code transition-concurrency} result transactions are open, whatever results wait (up to
 * {@code transition-batch-size}) go into one. An idle engine applies a result at once, alone; a
 * busy one applies many per transaction, in fewer statements and commits. A failed batch is
 * applied again result by result, so one bad result cannot hold back the others.
 */
@ApplicationScoped
public class ResultIntake {

    private static final Logger LOG = Logger.getLogger(ResultIntake.class);

    private final RunTransactions transactions;
    private final ScanflowConfig config;
    private final ConcurrentLinkedQueue<Pending> results = new ConcurrentLinkedQueue<>();
    private final AtomicInteger open = new AtomicInteger();
    private final DistributionSummary batchSizes;

    public ResultIntake(RunTransactions transactions, ScanflowConfig config, MeterRegistry metrics) {
        this.transactions = transactions;
        this.config = config;
        this.batchSizes = DistributionSummary.builder("scanflow.engine.batch.size")
                .description("worker results applied in one transaction").register(metrics);
    }

    private record Pending(WorkerResult result, CompletableFuture<Void> applied) {
    }

    /** Completes once the result is committed (or was ignored: unknown, duplicate, stale, spoofed; counted). */
    Uni<Void> submit(WorkerResult result) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Void> applied = new CompletableFuture<>();
            results.add(new Pending(result, applied));
            drain();
            return Uni.createFrom().completionStage(applied);
        });
    }

    private void drain() {
        while (!results.isEmpty()) {
            int now = open.get();
            if (now >= config.engine().transitionConcurrency()) {
                return; // the next transaction to finish drains again
            }
            if (!open.compareAndSet(now, now + 1)) {
                continue;
            }
            List<Pending> batch = new ArrayList<>();
            Pending next;
            while (batch.size() < config.engine().transitionBatchSize() && (next = results.poll()) != null) {
                batch.add(next);
            }
            if (batch.isEmpty()) {
                open.decrementAndGet();
                continue;
            }
            batchSizes.record(batch.size());
            apply(batch).subscribe().with(v -> done(), e -> done());
        }
    }

    private void done() {
        open.decrementAndGet();
        drain();
    }

    private Uni<Void> apply(List<Pending> batch) {
        return transactions.applyResults(batch.stream().map(Pending::result).toList())
                .invoke(() -> batch.forEach(p -> p.applied().complete(null)))
                .onFailure().recoverWithUni(error -> {
                    if (batch.size() == 1) {
                        batch.get(0).applied().completeExceptionally(error);
                        return Uni.createFrom().voidItem();
                    }
                    LOG.debugf("batch of %d results failed (%s); applying them one by one", batch.size(), error);
                    return Multi.createFrom().iterable(batch)
                            .onItem().transformToUniAndConcatenate(p -> transactions.applyResults(List.of(p.result()))
                                    .invoke(() -> p.applied().complete(null))
                                    .onFailure().invoke(p.applied()::completeExceptionally)
                                    .onFailure().recoverWithNull())
                            .collect().last().replaceWithVoid();
                });
    }
}
