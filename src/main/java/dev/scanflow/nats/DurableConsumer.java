package dev.scanflow.nats;

import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * A durable JetStream pull consumer read by one background thread: it fetches a batch, hands it
 * to the handler (which works asynchronously, e.g. database transactions), and acks each message
 * only after the handler reports it done; failures are redelivered after a delay. Survives NATS
 * restarts by binding again. Several replicas may share the durable consumer.
 */
public final class DurableConsumer {

    private static final Logger LOG = Logger.getLogger(DurableConsumer.class);

    /** The handler's verdict per message. */
    public enum Outcome { DONE, RETRY, DROP }

    private final String name;
    private final NatsClient nats;
    private final JetStreamSetup setup;
    private final String stream;
    private final String subject;
    private final int batchSize;
    private final Duration ackWait;
    private final Function<List<Message>, CompletableFuture<List<Outcome>>> handler;
    private volatile boolean running;
    private Thread thread;

    public DurableConsumer(String name, NatsClient nats, JetStreamSetup setup, String stream, String subject,
            int batchSize, Duration ackWait, Function<List<Message>, CompletableFuture<List<Outcome>>> handler) {
        this.name = name;
        this.nats = nats;
        this.setup = setup;
        this.stream = stream;
        this.subject = subject;
        this.batchSize = batchSize;
        this.ackWait = ackWait;
        this.handler = handler;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "scanflow-consumer-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    public synchronized void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread.join(10_000);
        }
    }

    private void loop() {
        JetStreamSubscription sub = null;
        while (running) {
            try {
                if (sub == null) {
                    sub = bind();
                    if (sub == null) {
                        continue;
                    }
                }
                List<Message> batch = sub.fetch(batchSize, Duration.ofMillis(500));
                if (batch.isEmpty()) {
                    continue;
                }
                List<Outcome> outcomes = handler.apply(batch).get(ackWait.toMillis(), TimeUnit.MILLISECONDS);
                for (int i = 0; i < batch.size(); i++) {
                    Message m = batch.get(i);
                    switch (outcomes.get(i)) {
                        case DONE -> m.ack();
                        case DROP -> m.term();
                        case RETRY -> m.nakWithDelay(Duration.ofSeconds(1));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                LOG.warnf("%s consumer: %s; binding again", name, e.toString());
                sub = null;
                pause(500);
            }
        }
    }

    private JetStreamSubscription bind() throws Exception {
        Connection c = nats.connection().orElse(null);
        if (c == null || c.getStatus() != Connection.Status.CONNECTED || !setup.awaitStreams(Duration.ofSeconds(1))) {
            pause(250);
            return null;
        }
        ConsumerConfiguration consumer = ConsumerConfiguration.builder()
                .durable(name)
                .ackPolicy(AckPolicy.Explicit)
                .ackWait(ackWait)
                .maxDeliver(-1)
                .deliverPolicy(DeliverPolicy.All)
                .filterSubject(subject)
                .maxAckPending(20_000)
                .build();
        c.jetStreamManagement().addOrUpdateConsumer(stream, consumer);
        LOG.infof("%s consumer bound to %s (%s)", name, stream, subject);
        return c.jetStream().subscribe(subject, PullSubscribeOptions.bind(stream, name));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
