package dev.scanflow.domain;

import java.util.Map;
import java.util.UUID;

/**
 * What a worker reported about a command.
 *
 * @param subjectWorkerId the worker id in the NATS subject the report came on
 * @param bodyWorkerId    the worker id the report claims
 * @param status          running, completed, failed or cancelled
 */
public record WorkerResult(UUID commandId, String subjectWorkerId, String bodyWorkerId, String status,
        Integer findingsCount, Map<String, Object> findingsBySeverity, Map<String, Object> output,
        String errorCode, String errorMessage) {
}
