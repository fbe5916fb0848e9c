package dev.scanflow.nats;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while NATS is connected and the JetStream streams are there: commands and results need both. */
@Readiness
@ApplicationScoped
public class NatsReadiness implements HealthCheck {

    private final NatsClient nats;
    private final JetStreamSetup jetStream;

    public NatsReadiness(NatsClient nats, JetStreamSetup jetStream) {
        this.nats = nats;
        this.jetStream = jetStream;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("nats")
                .status(nats.connected() && jetStream.ready())
                .withData("servers", nats.servers())
                .withData("connected", nats.connected())
                .withData("streams", jetStream.ready())
                .build();
    }
}
