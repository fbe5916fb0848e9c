package dev.scanflow.fleet;

import dev.scanflow.nats.DurableConsumer;
import dev.scanflow.nats.JetStreamSetup;
import dev.scanflow.nats.NatsClient;
import dev.scanflow.protocol.LogLine;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.Subjects;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Message;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Stores the log lines workers send, in the order they come (so the first of two lines with
 * the same seq wins, and reading by id gives the worker's order). A line counts only when its
 * command was sent to the worker whose subject it came on and that worker is still registered
 * (a deregistered one appends nothing); (command, seq) makes redeliveries harmless.
 */
@ApplicationScoped
public class LogListener {

    private final Pool pool;
    private final Subjects subjects;
    private final MeterRegistry metrics;
    private final DurableConsumer consumer;

    public LogListener(Pool pool, Subjects subjects, MeterRegistry metrics, NatsClient nats, JetStreamSetup setup) {
        this.pool = pool;
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

    CompletableFuture<List<DurableConsumer.Outcome>> handle(List<Message> batch) {
        List<Tuple> rows = new ArrayList<>();
        List<DurableConsumer.Outcome> outcomes = new ArrayList<>();
        for (Message m : batch) {
            String worker = subjects.workerOfLog(m.getSubject());
            try {
                LogLine l = ProtocolJson.read(m.getData(), LogLine.class);
                if (worker == null || l.commandId() == null || l.seq() == null || l.line() == null) {
                    throw new IllegalArgumentException("command_id, seq and line are required");
                }
                String line = l.line().length() > LogLine.MAX_LENGTH ? l.line().substring(0, LogLine.MAX_LENGTH) : l.line();
                rows.add(Tuple.of(UUID.fromString(l.commandId()), l.seq(), line.replace('\u0000', ' '), worker));
                outcomes.add(DurableConsumer.Outcome.DONE);
            } catch (Exception e) {
                metrics.counter("scanflow.logs.rejected").increment();
                outcomes.add(DurableConsumer.Outcome.DROP);
            }
        }
        if (rows.isEmpty()) {
            return CompletableFuture.completedFuture(outcomes);
        }
        return pool.preparedQuery("INSERT INTO step_logs (run_id, step_run_id, command_id, seq, line) "
                        + "SELECT c.run_id, c.step_run_id, c.id, $2, $3 FROM commands c "
                        + "WHERE c.id = $1 AND c.worker_id = $4 AND c.type = 'scan' "
                        + "AND EXISTS (SELECT 1 FROM workers w WHERE w.id = $4) "
                        + "ON CONFLICT (command_id, seq) DO NOTHING")
                .executeBatch(rows)
                .map(r -> outcomes)
                .onFailure().recoverWithItem(e -> Collections.nCopies(outcomes.size(), DurableConsumer.Outcome.RETRY)
                        .stream().map(o -> o).toList())
                .subscribeAsCompletionStage();
    }
}
