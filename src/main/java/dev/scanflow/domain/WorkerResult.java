package dev.scanflow.domain;

import java.util.Map;
import java.util.UUID;

/**
 * What a worker reported about a command.
 *
 * @param subjectWorkerId the worker id in the NATS subject the report came on
 * @param bodyWorkerId    the worker id the report claims, or null when it names none (the design
 *                        document's worker response has no worker_id: the subject says who it is)
 * @param status          running, completed, failed or cancelled
 * @param scanId          the worker's own id for the scan (its result.scan_id), or null
 */
public record WorkerResult(UUID commandId, String subjectWorkerId, String bodyWorkerId, String status,
        Integer findingsCount, Map<String, Object> findingsBySeverity, Map<String, Object> output,
        String errorCode, String errorMessage, String scanId) {

    public WorkerResult(UUID commandId, String subjectWorkerId, String bodyWorkerId, String status,
            Integer findingsCount, Map<String, Object> findingsBySeverity, Map<String, Object> output,
            String errorCode, String errorMessage) {
        this(commandId, subjectWorkerId, bodyWorkerId, status, findingsCount, findingsBySeverity, output, errorCode,
                errorMessage, null);
    }
}
