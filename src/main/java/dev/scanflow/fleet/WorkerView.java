package dev.scanflow.fleet;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A worker as the fleet API shows it. {@code tenant_id} null: shared by every tenant. */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record WorkerView(String workerId, UUID tenantId, String status, List<String> capabilities, List<String> tools,
        int maxConcurrency, int activeCommands, double load, int reportedActive, String version,
        Instant lastHeartbeatAt, Instant registeredAt) {
}
