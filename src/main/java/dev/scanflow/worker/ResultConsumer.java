package dev.scanflow.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.WorkerResult;
import dev.scanflow.nats.DurableConsumer;
import dev.scanflow.nats.JetStreamSetup;
import dev.scanflow.nats.NatsClient;
import dev.scanflow.nats.Subjects;
import dev.scanflow.run.RunEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Message;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Reads workers' status and results from the durable JetStream consumer {@code scanflow-engine}
 * and applies each one in its own transaction; a message is acked only after its transaction
 * committed, so a crash redelivers it, and applying it twice changes nothing the second time.
 */
@ApplicationScoped
public class ResultConsumer {

    private static final Logger LOG = Logger.getLogger(ResultConsumer.class);
    private static final Set<String> STATUSES = Set.of("running", "completed", "failed", "cancelled");

    private final RunEngine engine;
    private final ObjectMapper mapper;
    private final Subjects subjects;
    private final MeterRegistry metrics;
    private final DurableConsumer consumer;

    public ResultConsumer(RunEngine engine, ObjectMapper mapper, Subjects subjects, MeterRegistry metrics,
            NatsClient nats, JetStreamSetup setup, ScanflowConfig config) {
        this.engine = engine;
        this.mapper = mapper;
        this.subjects = subjects;
        this.metrics = metrics;
        this.consumer = new DurableConsumer("scanflow-engine", nats, setup, subjects.stream("RESULTS"),
                subjects.results(), config.engine().resultBatchSize(), Duration.ofSeconds(30), this::handle);
    }

    void start(@Observes StartupEvent event) {
        consumer.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        consumer.stop();
    }

    CompletableFuture<List<DurableConsumer.Outcome>> handle(List<Message> batch) {
        List<CompletableFuture<DurableConsumer.Outcome>> outcomes = new ArrayList<>();
        for (Message m : batch) {
            WorkerResult result = parse(m);
            if (result == null) {
                metrics.counter("scanflow.results.ignored", "reason", "invalid").increment();
                outcomes.add(CompletableFuture.completedFuture(DurableConsumer.Outcome.DROP));
                continue;
            }
            outcomes.add(engine.onResult(result)
                    .map(v -> DurableConsumer.Outcome.DONE)
                    .onFailure().recoverWithItem(e -> {
                        LOG.warnf("result for command %s not applied yet: %s", result.commandId(), e.toString());
                        return DurableConsumer.Outcome.RETRY;
                    })
                    .subscribeAsCompletionStage());
        }
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenApply(v -> outcomes.stream().map(CompletableFuture::join).toList());
    }

    WorkerResult parse(Message m) {
        String subjectWorker = subjects.workerOf(m.getSubject());
        try {
            WorkerMessages.Result r = mapper.readValue(m.getData(), WorkerMessages.Result.class);
            if (subjectWorker == null || r.commandId() == null || r.status() == null || !STATUSES.contains(r.status())) {
                return null;
            }
            WorkerMessages.Outcome o = r.result();
            WorkerMessages.Error e = r.error();
            return new WorkerResult(UUID.fromString(r.commandId()), subjectWorker, r.workerId(), r.status(),
                    o == null ? null : o.findingsCount(), o == null ? null : o.findingsBySeverity(),
                    o == null ? null : o.output(), e == null ? null : e.code(), e == null ? null : e.message(),
                    o == null ? null : o.scanId());
        } catch (Exception e) {
            LOG.debugf("unreadable result on %s: %s", m.getSubject(), e.getMessage());
            return null;
        }
    }
}
