package dev.scanflow.notification;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.UUID;

/** One notification delivery: its channel, attempts, outcome and last error. */
@RegisterForReflection
public record DeliveryView(UUID id, String channel, String channelType, String event, String status, int attempts,
        Integer lastStatus, String lastError, Instant createdAt, Instant nextAttemptAt, Instant deliveredAt) {
}
