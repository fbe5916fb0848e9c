package dev.scanflow.fleet;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.WorkerResult;
import dev.scanflow.engine.RunEngine;
import dev.scanflow.finding.FindingGate;
import dev.scanflow.nats.DurableConsumer;
import dev.scanflow.nats.JetStreamSetup;
import dev.scanflow.nats.NatsClient;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.StatusReport;
import dev.scanflow.protocol.Subjects;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Message;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Workers' status reports and results, from the durable JetStream consumer
 * {@code scanflow-engine}, handed to the engine (which batches them into transactions); a
 * message is acked only after its effect is committed, so a crash redelivers it, and applying it
 * twice changes nothing the second time. A completed report goes through the findings' gate first
 * (its findings all arrived, the step's fixes written, its new findings counted). Unreadable reports, and reports on any subject but
 * exactly {@code <prefix>.results.<worker>}, are dropped and counted.
 */
@ApplicationScoped
public class ResultListener {

    private static final Logger LOG = Logger.getLogger(ResultListener.class);

    private final RunEngine engine;
    private final Subjects subjects;
    private final MeterRegistry metrics;
    private final DurableConsumer consumer;
    private final FindingGate findings;

    public ResultListener(RunEngine engine, FindingGate findings, Subjects subjects, MeterRegistry metrics,
            NatsClient nats, JetStreamSetup setup, ScanflowConfig config) {
        this.engine = engine;
        this.findings = findings;
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
        return DurableConsumer.each(batch, this::handle);
    }

    private CompletableFuture<DurableConsumer.Outcome> handle(Message m) {
        WorkerResult result = parse(m);
        if (result == null) {
            metrics.counter("scanflow.results.ignored", "reason", "invalid").increment();
            return CompletableFuture.completedFuture(DurableConsumer.Outcome.DROP);
        }
        return findings.admit(result, reportedAt(m), Instant.now())
                .chain(verdict -> {
                    if (verdict instanceof FindingGate.Apply apply) {
                        return engine.onResult(apply.result())
                                .chain(v -> findings.settled(apply.scan()))
                                .map(v -> DurableConsumer.Outcome.DONE);
                    }
                    FindingGate.Wait wait = (FindingGate.Wait) verdict;
                    LOG.debugf("result for command %s waits for its findings (%d of %d)", result.commandId(),
                            wait.arrived(), wait.sent());
                    return Uni.createFrom().item(DurableConsumer.Outcome.RETRY);
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("result for command %s not applied yet: %s", result.commandId(), e.toString());
                    return DurableConsumer.Outcome.RETRY;
                })
                .subscribeAsCompletionStage();
    }

    /** When the stream stored the report (a redelivery keeps it), or now when the message has no metadata. */
    private static Instant reportedAt(Message m) {
        try {
            return m.isJetStream() ? m.metaData().timestamp().toInstant() : Instant.now();
        } catch (RuntimeException e) {
            return Instant.now();
        }
    }

    /**
     * A worker's text as PostgreSQL can store it: without NUL characters (which it refuses in
     * text and JSON; they become U+FFFD) and no longer than the limit.
     */
    static String bounded(String text, int max) {
        if (text == null) {
            return null;
        }
        String clean = text.replace('\u0000', '\uFFFD');
        return clean.length() > max ? clean.substring(0, max) : clean;
    }

    /** A worker's free JSON with every key and string passed through {@link #bounded}. */
    @SuppressWarnings("unchecked")
    static <T> T clean(T value) {
        if (value instanceof String s) {
            return (T) bounded(s, 100_000);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(bounded(String.valueOf(k), 1_000), clean(v)));
            return (T) out;
        }
        if (value instanceof List<?> list) {
            return (T) list.stream().map(ResultListener::clean).toList();
        }
        return value;
    }

    WorkerResult parse(Message m) {
        String subjectWorker = subjects.workerOfResult(m.getSubject());
        try {
            StatusReport r = ProtocolJson.read(m.getData(), StatusReport.class);
            if (subjectWorker == null || r.commandId() == null || r.status() == null
                    || !StatusReport.STATUSES.contains(r.status())) {
                return null;
            }
            StatusReport.Result o = r.result();
            StatusReport.Error e = r.error();
            return new WorkerResult(UUID.fromString(r.commandId()), subjectWorker, r.workerId(), r.status(),
                    o == null ? null : o.findingsCount(), o == null ? null : clean(o.findingsBySeverity()),
                    o == null ? null : clean(o.output()), e == null ? null : bounded(e.code(), 100),
                    e == null ? null : bounded(e.message(), 4_000), o == null ? null : bounded(o.scanId(), 200),
                    o == null ? null : o.findingsSent(), null);
        } catch (Exception e) {
            LOG.debugf("unreadable result on %s: %s", m.getSubject(), e.getMessage());
            return null;
        }
    }
}
