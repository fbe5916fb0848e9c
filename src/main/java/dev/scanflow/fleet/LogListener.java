package dev.scanflow.fleet;

import dev.scanflow.engine.CommandOutbox;
import dev.scanflow.nats.DurableConsumer;
import dev.scanflow.nats.JetStreamSetup;
import dev.scanflow.nats.NatsClient;
import dev.scanflow.protocol.LogLine;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.Subjects;
import dev.scanflow.run.StepLogs;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Message;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Stores the log lines workers send ({@link StepLogs}), in the order they come (so the first of two
 * lines with the same seq wins, and reading by id gives the worker's order). A line counts only
 * when its command was sent to the worker whose subject it came on and that worker is still
 * registered (a deregistered one appends nothing); (command, seq) makes redeliveries harmless.
 * The commands (the engine's {@link CommandOutbox#scans}) and the registrations are read at once,
 * then the lines appended: two round trips a batch.
 */
@ApplicationScoped
public class LogListener {

    private final Pool pool;
    private final CommandOutbox commands;
    private final StepLogs logs;
    private final Subjects subjects;
    private final MeterRegistry metrics;
    private final DurableConsumer consumer;

    public LogListener(Pool pool, CommandOutbox commands, StepLogs logs, Subjects subjects, MeterRegistry metrics,
            NatsClient nats, JetStreamSetup setup) {
        this.pool = pool;
        this.commands = commands;
        this.logs = logs;
        this.subjects = subjects;
        this.metrics = metrics;
        this.consumer = new DurableConsumer("scanflow-logs", nats, setup, subjects.stream("LOGS"), subjects.logs(),
                256, Duration.ofSeconds(30), true, this::handle);
    }

    void start(@Observes StartupEvent event) {
        consumer.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        consumer.stop();
    }

    /** A line as read, before its command is checked. */
    private record Received(UUID commandId, long seq, String line, String worker) {
    }

    CompletableFuture<List<DurableConsumer.Outcome>> handle(List<Message> batch) {
        List<Received> lines = new ArrayList<>();
        List<DurableConsumer.Outcome> outcomes = new ArrayList<>();
        for (Message m : batch) {
            String worker = subjects.workerOfLog(m.getSubject());
            try {
                LogLine l = ProtocolJson.read(m.getData(), LogLine.class);
                if (worker == null || l.commandId() == null || l.seq() == null || l.line() == null) {
                    throw new IllegalArgumentException("command_id, seq and line are required");
                }
                String line = l.line().length() > LogLine.MAX_LENGTH ? l.line().substring(0, LogLine.MAX_LENGTH) : l.line();
                lines.add(new Received(UUID.fromString(l.commandId()), l.seq(), line.replace('\u0000', ' '), worker));
                outcomes.add(DurableConsumer.Outcome.DONE);
            } catch (Exception e) {
                metrics.counter("scanflow.logs.rejected").increment();
                outcomes.add(DurableConsumer.Outcome.DROP);
            }
        }
        if (lines.isEmpty()) {
            return CompletableFuture.completedFuture(outcomes);
        }
        return Uni.combine().all()
                .unis(commands.scans(pool, lines.stream().map(Received::commandId).distinct().toList()),
                        registered(lines.stream().map(Received::worker).distinct().toList()))
                .withUni((sent, workers) -> logs.append(pool, lines.stream().filter(l -> {
                    CommandOutbox.SentScan c = sent.get(l.commandId());
                    return c != null && l.worker().equals(c.workerId()) && workers.contains(l.worker());
                }).map(l -> {
                    CommandOutbox.SentScan c = sent.get(l.commandId());
                    return new StepLogs.Line(c.runId(), c.stepRunId(), l.commandId(), l.seq(), l.line());
                }).toList()))
                .map(v -> outcomes)
                .onFailure().recoverWithItem(e -> Collections.nCopies(outcomes.size(), DurableConsumer.Outcome.RETRY)
                        .stream().map(o -> o).toList())
                .subscribeAsCompletionStage();
    }

    /** Which of these workers are registered. */
    private Uni<Set<String>> registered(List<String> workers) {
        return pool.preparedQuery("SELECT id FROM workers WHERE id = ANY($1)")
                .execute(Tuple.of((Object) workers.toArray(String[]::new)))
                .map(rows -> {
                    Set<String> ids = new HashSet<>();
                    rows.forEach(r -> ids.add(r.getString("id")));
                    return ids;
                });
    }
}
