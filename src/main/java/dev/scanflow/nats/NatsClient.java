package dev.scanflow.nats;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Scanflow's core NATS connection (jnats), for what the messaging extension does not do:
 * plain publishes and subscriptions, JetStream management. It connects in the background and
 * reconnects forever, so the service starts (not ready) while NATS is down.
 */
@ApplicationScoped
public class NatsClient {

    private static final Logger LOG = Logger.getLogger(NatsClient.class);

    private final String servers;
    private volatile Connection connection;

    public NatsClient(@ConfigProperty(name = "quarkus.messaging.nats.connection.servers") String servers) {
        this.servers = servers;
    }

    void start(@Observes StartupEvent event) throws InterruptedException {
        Options options = new Options.Builder()
                .servers(servers.split(","))
                .connectionName("scanflow")
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(500))
                .connectionTimeout(Duration.ofSeconds(2))
                .connectionListener((conn, type) -> {
                    if (type == ConnectionListener.Events.CONNECTED || type == ConnectionListener.Events.RECONNECTED) {
                        connection = conn;
                    }
                    LOG.infof("NATS %s (%s)", type.name().toLowerCase(), servers);
                })
                .build();
        Nats.connectAsynchronously(options, true);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        Connection c = connection;
        if (c != null) {
            c.close();
        }
    }

    public Optional<Connection> connection() {
        return Optional.ofNullable(connection);
    }

    public boolean connected() {
        Connection c = connection;
        return c != null && c.getStatus() == Connection.Status.CONNECTED;
    }

    public String servers() {
        return servers;
    }
}
