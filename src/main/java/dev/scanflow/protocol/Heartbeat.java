package dev.scanflow.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * A worker's heartbeat on {@code <prefix>.workers.heartbeat}: it is alive, what it offers, how
 * busy it is. {@code tenant_id} null: a shared worker.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Heartbeat(String workerId, String tenantId, List<String> capabilities, List<String> tools,
        Integer maxConcurrency, Integer activeCommands, String version) {
}
