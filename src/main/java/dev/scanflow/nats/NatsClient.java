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
    private final List<Runnable> onDisconnect = new CopyOnWriteArrayList<>();
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
                    if (type == ConnectionListener.Events.DISCONNECTED) {
                        onDisconnect.forEach(Runnable::run);
                    }
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

    /** Runs (on a NATS thread; keep it short) when the connection is lost. */
    public void onDisconnect(Runnable hook) {
        onDisconnect.add(hook);
    }

    private void runHooks(Connection conn) {
        onConnect.forEach(hook -> safely(hook, conn));
    }

    /**
     * Runs a hook until it succeeds while the connection stays up: right after a NATS restart the
     * server accepts connections before JetStream has recovered its streams.
     */
    private static void safely(Consumer<Connection> hook, Connection conn) {
        long delay = 200;
        long forceReconnectAt = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (conn.getStatus() == Connection.Status.CONNECTED) {
            try {
                hook.accept(conn);
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > forceReconnectAt) {
                    // Seen after NATS restarts: the socket is up but JetStream requests get no
                    // answer. A fresh connection clears it; the hooks run again on RECONNECTED.
                    LOG.warnf("NATS setup keeps failing (%s); forcing a reconnection", e.getMessage());
                    try {
                        conn.forceReconnect();
                    } catch (java.io.IOException | InterruptedException | RuntimeException re) {
                        LOG.warnf("forced reconnection failed: %s", re.toString());
                    }
                    return;
                }
                LOG.warnf("NATS setup step failed (%s); trying again in %d ms", e.getMessage(), delay);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                delay = Math.min(delay * 2, 5_000);
            }
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
