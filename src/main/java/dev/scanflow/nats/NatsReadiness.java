package dev.scanflow.nats;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the NATS connection is up: commands and results cannot flow without it. */
@Readiness
@ApplicationScoped
public class NatsReadiness implements HealthCheck {

    private final NatsClient nats;

    public NatsReadiness(NatsClient nats) {
        this.nats = nats;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("nats")
                .status(nats.connected())
                .withData("servers", nats.servers())
                .build();
    }
}
