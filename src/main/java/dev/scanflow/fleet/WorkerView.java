package dev.scanflow.fleet;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A worker as the fleet API shows it. {@code tenant_id} null: shared by every tenant.
 * {@code capabilities}, {@code tools} and {@code max_concurrency} are what it offers now (its
 * last heartbeat), within the {@code registered_*} values: {@code announced_max_concurrency} is
 * what its heartbeat asked for (null before the first), {@code max_concurrency} what it was
 * granted, at most {@code registered_max_concurrency}; {@code benched_until} is set while it
 * gets no new command because it let a command's ack timeout pass ({@code ack_timeouts} in a
 * row since it last acknowledged one).
 */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record WorkerView(String workerId, UUID tenantId, String status, List<String> capabilities, List<String> tools,
        int maxConcurrency, Integer announcedMaxConcurrency, int activeCommands, double load, int reportedActive,
        String version,
        Instant lastHeartbeatAt, Instant registeredAt, String registration, String registeredBy,
        List<String> registeredCapabilities, List<String> registeredTools, int registeredMaxConcurrency,
        String natsNkey, int ackTimeouts, Instant benchedUntil) {
}
