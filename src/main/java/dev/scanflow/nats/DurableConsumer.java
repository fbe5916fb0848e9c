package dev.scanflow.nats;

import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * A durable JetStream pull consumer: each message goes to the handler as soon as it arrives (the
 * handler works asynchronously, e.g. a database transaction) and is acked only after the handler
 * reports it done; failures are redelivered after a delay. Survives NATS restarts by binding
 * again. Several replicas may share the durable consumer.
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
    private volatile MessageConsumer current;
    private final boolean ordered;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private Thread thread;

    public DurableConsumer(String name, NatsClient nats, JetStreamSetup setup, String stream, String subject,
            int batchSize, Duration ackWait, Function<List<Message>, CompletableFuture<List<Outcome>>> handler) {
        this(name, nats, setup, stream, subject, batchSize, ackWait, false, handler);
    }

    /** @param ordered handle one message at a time, in delivery order (else concurrently) */
    public DurableConsumer(String name, NatsClient nats, JetStreamSetup setup, String stream, String subject,
            int batchSize, Duration ackWait, boolean ordered,
            Function<List<Message>, CompletableFuture<List<Outcome>>> handler) {
        this.ordered = ordered;
        this.name = name;
        this.nats = nats;
        this.setup = setup;
        this.stream = stream;
        this.subject = subject;
        this.batchSize = batchSize;
        this.ackWait = ackWait;
        this.handler = handler;
    }

    /** A batch handled message by message, at once: the outcomes in the batch's order, once all are known. */
    public static CompletableFuture<List<Outcome>> each(List<Message> batch,
            Function<Message, CompletableFuture<Outcome>> handler) {
        List<CompletableFuture<Outcome>> outcomes = new java.util.ArrayList<>();
        for (Message m : batch) {
            outcomes.add(handler.apply(m));
        }
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenApply(v -> outcomes.stream().map(CompletableFuture::join).toList());
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        // after a reconnection, bind again at once instead of waiting for the old pull to time out
        nats.onConnect(c -> {
            MessageConsumer mc = current;
            if (mc != null) {
                mc.stop();
            }
        });
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

    /**
     * Binds the consumer and keeps it bound: messages are handed to the handler as they arrive
     * (jnats' simplified consume, which keeps pull requests open), each acked or nak'ed when the
     * handler's work for it is done. The thread only watches the binding and re-binds after errors.
     */
    private void loop() {
        MessageConsumer consumer = null;
        while (running) {
            try {
                if (consumer == null || consumer.isFinished() || consumer.isStopped()) {
                    consumer = bindConsumer();
                    current = consumer;
                    if (consumer == null) {
                        continue;
                    }
                }
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                LOG.warnf("%s consumer: %s; binding again", name, e.toString());
                consumer = null;
                pause(500);
            }
        }
        if (consumer != null) {
            consumer.stop();
        }
    }

    private void onMessage(Message m) {
        if (ordered) {
            // one at a time, in the order JetStream delivers them
            synchronized (this) {
                tail = tail.handle((v, e) -> null).thenCompose(v -> handle(m));
            }
        } else {
            handle(m);
        }
    }

    private CompletableFuture<Void> handle(Message m) {
        try {
            return handler.apply(List.of(m)).whenComplete((outcomes, error) -> {
                DurableConsumer.Outcome outcome = error != null ? Outcome.RETRY : outcomes.get(0);
                switch (outcome) {
                    case DONE -> m.ack();
                    case DROP -> m.term();
                    case RETRY -> m.nakWithDelay(Duration.ofSeconds(1));
                }
            }).thenApply(outcomes -> (Void) null);
        } catch (RuntimeException e) {
            LOG.warnf("%s consumer: handler failed: %s", name, e.toString());
            m.nakWithDelay(Duration.ofSeconds(1));
            return CompletableFuture.completedFuture(null);
        }
    }

    private MessageConsumer bindConsumer() throws Exception {
        Connection c = nats.connection().orElse(null);
        if (c == null || c.getStatus() != Connection.Status.CONNECTED || !setup.awaitStreams(Duration.ofSeconds(1))) {
            pause(250);
            return null;
        }
        ensureConsumer(c);
        ConsumerContext context = c.getConsumerContext(stream, name);
        MessageConsumer consumer = context.consume(ConsumeOptions.builder().batchSize(batchSize).build(), this::onMessage);
        LOG.infof("%s consumer bound to %s (%s)", name, stream, subject);
        return consumer;
    }

    private void ensureConsumer(Connection c) throws Exception {
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
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
