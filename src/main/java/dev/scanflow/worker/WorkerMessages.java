package dev.scanflow.worker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/** The messages workers send (docs/protocol.md). Unknown fields are ignored, for compatibility. */
public final class WorkerMessages {

    private WorkerMessages() {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Heartbeat(String workerId, String tenantId, List<String> capabilities, List<String> tools,
            Integer maxConcurrency, Integer activeCommands, String version) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Result(String commandId, String workerId, String status, Outcome result, Error error) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Outcome(Integer findingsCount, Map<String, Object> findingsBySeverity, Long durationMs,
            String scanId, Map<String, Object> output) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Error(String code, String message) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LogLine(String commandId, Long seq, String line) {
    }
}
