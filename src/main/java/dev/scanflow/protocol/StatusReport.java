package dev.scanflow.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;
import java.util.Set;

/**
 * A worker's report on {@code <prefix>.results.<worker>}: {@code running} when the tool starts,
 * then {@code completed} (with a result), {@code failed} (with an error) or {@code cancelled}.
 * The design document's "Worker Response" is one: {@code worker_id} may be left out, the
 * subject names the worker.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusReport(String commandId, String workerId, String status, Result result, Error error) {

    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    public static final Set<String> STATUSES = Set.of(RUNNING, COMPLETED, FAILED, CANCELLED);

    public static StatusReport running(String commandId, String workerId) {
        return new StatusReport(commandId, workerId, RUNNING, null, null);
    }

    public static StatusReport completed(String commandId, String workerId, Result result) {
        return new StatusReport(commandId, workerId, COMPLETED, result, null);
    }

    public static StatusReport failed(String commandId, String workerId, String code, String message) {
        return new StatusReport(commandId, workerId, FAILED, null, new Error(code, message));
    }

    public static StatusReport cancelled(String commandId, String workerId) {
        return new StatusReport(commandId, workerId, CANCELLED, null, null);
    }

    /**
     * @param output       free JSON that later steps read as {@code steps.<id>.output.<key>}
     * @param findingsSent how many findings the command's {@link FindingsChunk}s hold (protocol
     *                     2.2); absent from a worker that reports counts only
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Result(Integer findingsCount, Map<String, Object> findingsBySeverity, Long durationMs, String scanId,
            Map<String, Object> output, Integer findingsSent) {

        /** Without findings records (protocol 2.1's shape). */
        public Result(Integer findingsCount, Map<String, Object> findingsBySeverity, Long durationMs, String scanId,
                Map<String, Object> output) {
            this(findingsCount, findingsBySeverity, durationMs, scanId, output, null);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Error(String code, String message) {
    }
}
