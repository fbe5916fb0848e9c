package dev.scanflow.finding;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.engine.CommandOutbox;
import dev.scanflow.engine.CommandOutbox.ScanOfFindings;
import dev.scanflow.nats.DurableConsumer;
import dev.scanflow.nats.JetStreamSetup;
import dev.scanflow.nats.NatsClient;
import dev.scanflow.protocol.FindingsChunk;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.Subjects;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Message;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Workers' findings, in chunks from the durable JetStream consumer {@code scanflow-findings}
 * (docs/adr/0011-findings.md). A chunk is filed in one transaction with its (command, chunk)
 * claim, so a redelivered chunk changes nothing; it is acked after the commit. Chunks from
 * another worker than the command's, for a command whose step is no longer on it, or unreadable,
 * are dropped and counted; findings a chunk holds that cannot be kept (no tool, rule or known
 * kind) are counted and left out, the chunk still counts them as arrived.
 */
@ApplicationScoped
public class FindingIntake {

    private static final Logger LOG = Logger.getLogger(FindingIntake.class);

    private final Pool pool;
    private final CommandOutbox commands;
    private final FindingWrites writes;
    private final Subjects subjects;
    private final MeterRegistry metrics;
    private final DurableConsumer consumer;

    public FindingIntake(Pool pool, CommandOutbox commands, FindingWrites writes, Subjects subjects, MeterRegistry metrics,
            NatsClient nats, JetStreamSetup setup) {
        this.pool = pool;
        this.commands = commands;
        this.writes = writes;
        this.subjects = subjects;
        this.metrics = metrics;
        this.consumer = new DurableConsumer("scanflow-findings", nats, setup, subjects.stream("FINDINGS"),
                subjects.allFindings(), 16, Duration.ofSeconds(60), this::handle);
    }

    void start(@Observes StartupEvent event) {
        consumer.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        consumer.stop();
    }

    CompletableFuture<List<DurableConsumer.Outcome>> handle(List<Message> batch) {
        return DurableConsumer.each(batch, m -> file(subjects.workerOfFindings(m.getSubject()), m.getData())
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("a findings chunk was not filed yet: %s", e.toString());
                    return DurableConsumer.Outcome.RETRY;
                })
                .subscribeAsCompletionStage());
    }

    /** Files one chunk sent on the worker's findings subject. */
    Uni<DurableConsumer.Outcome> file(String worker, byte[] data) {
        FindingsChunk chunk;
        UUID commandId;
        try {
            chunk = ProtocolJson.read(data, FindingsChunk.class);
            commandId = UUID.fromString(chunk.commandId());
        } catch (Exception e) {
            return dropped("invalid");
        }
        if (worker == null || chunk.chunk() < 0 || chunk.findings() == null
                || (chunk.workerId() != null && !chunk.workerId().equals(worker))) {
            return dropped("invalid");
        }
        return commands.scanOfFindings(pool, commandId).chain(scan -> {
            if (scan == null || !scan.workerId().equals(worker)) {
                return dropped("not_this_workers");
            }
            if (!scan.stepActive()) {
                return dropped("step_ended");
            }
            List<FindingWrites.Filed> kept = new ArrayList<>();
            List<FindingCheck.Checked> checked = chunk.findings().stream().map(FindingCheck::check).toList();
            Instant now = Instant.now();
            return pool.withTransaction(tx -> writes.claimChunk(tx, commandId, chunk.chunk(), chunk.findings().size())
                    .chain(fresh -> {
                        if (!fresh) {
                            return Uni.createFrom().item(DurableConsumer.Outcome.DONE);
                        }
                        return writes.suppressions(tx, scan.tenantId(), scan.assetId(), now).chain(rules -> {
                            for (FindingCheck.Checked c : checked) {
                                if (c.finding() == null) {
                                    metrics.counter("scanflow.findings.refused", "reason", c.refusal()).increment();
                                    continue;
                                }
                                kept.add(new FindingWrites.Filed(c.identity(), c.finding(), suppression(rules, scan, c)));
                            }
                            return writes.file(tx, scan, kept).map(v -> {
                                metrics.counter("scanflow.findings.filed").increment(kept.size());
                                return DurableConsumer.Outcome.DONE;
                            });
                        });
                    }));
        });
    }

    private static UUID suppression(List<SuppressionRule> rules, ScanOfFindings scan, FindingCheck.Checked c) {
        for (SuppressionRule r : rules) {
            if (r.matches(scan.assetId(), c.identity(), c.finding())) {
                return r.id();
            }
        }
        return null;
    }

    private Uni<DurableConsumer.Outcome> dropped(String reason) {
        metrics.counter("scanflow.findings.chunks.dropped", "reason", reason).increment();
        return Uni.createFrom().item(DurableConsumer.Outcome.DROP);
    }
}
