package dev.scanflow.nats;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Scanflow's NATS connection (jnats). It connects in the background and reconnects forever,
 * so the service starts (not ready) while NATS is down. Components register what they must do
 * on every (re)connection — create streams, subscribe — and it runs on one setup thread, never
 * on a NATS callback thread.
 */
@ApplicationScoped
public class NatsClient {

    private static final Logger LOG = Logger.getLogger(NatsClient.class);

    private final String servers;
    private final List<Consumer<Connection>> onConnect = new CopyOnWriteArrayList<>();
    private final ExecutorService setup = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "scanflow-nats-setup");
        t.setDaemon(true);
        return t;
    });
    private volatile Connection connection;

    public NatsClient(@ConfigProperty(name = "quarkus.messaging.nats.connection.servers") String servers) {
        this.servers = servers;
    }

    void start(@Observes StartupEvent event) throws InterruptedException {
        Options options = new Options.Builder()
                .servers(servers.split(","))
                .connectionName("scanflow")
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(250))
                .connectionTimeout(Duration.ofSeconds(2))
                .reconnectBufferSize(64L * 1024 * 1024)
                .connectionListener((conn, type) -> {
                    LOG.infof("NATS %s (%s)", type.name().toLowerCase(), servers);
                    if (type == ConnectionListener.Events.CONNECTED || type == ConnectionListener.Events.RECONNECTED
                            || type == ConnectionListener.Events.RESUBSCRIBED) {
                        connection = conn;
                        if (type != ConnectionListener.Events.RESUBSCRIBED) {
                            setup.submit(() -> runHooks(conn));
                        }
                    }
                })
                .build();
        Nats.connectAsynchronously(options, true);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        setup.shutdownNow();
        Connection c = connection;
        if (c != null) {
            try {
                c.drain(Duration.ofSeconds(5));
            } catch (java.util.concurrent.TimeoutException | IllegalStateException e) {
                c.close();
            }
        }
    }

    /** Runs now if connected, and again after every reconnection (on the setup thread). */
    public void onConnect(Consumer<Connection> hook) {
        onConnect.add(hook);
        Connection c = connection;
        if (c != null && c.getStatus() == Connection.Status.CONNECTED) {
            setup.submit(() -> safely(hook, c));
        }
    }

    private void runHooks(Connection conn) {
        onConnect.forEach(hook -> safely(hook, conn));
    }

    private static void safely(Consumer<Connection> hook, Connection conn) {
        try {
            hook.accept(conn);
        } catch (RuntimeException e) {
            LOG.errorf(e, "NATS setup step failed; it runs again on the next reconnection");
        }
    }

    public Optional<Connection> connection() {
        return Optional.ofNullable(connection);
    }

    public JetStream jetStream() throws IOException {
        Connection c = connection;
        if (c == null) {
            throw new IOException("not connected to NATS");
        }
        return c.jetStream();
    }

    public boolean connected() {
        Connection c = connection;
        return c != null && c.getStatus() == Connection.Status.CONNECTED;
    }

    public String servers() {
        return servers;
    }
}
