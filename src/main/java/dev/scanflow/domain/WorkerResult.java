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
        String errorCode, String errorMessage, String scanId, Integer findingsSent, FindingChanges findingChanges) {

    public WorkerResult(UUID commandId, String subjectWorkerId, String bodyWorkerId, String status,
            Integer findingsCount, Map<String, Object> findingsBySeverity, Map<String, Object> output,
            String errorCode, String errorMessage, String scanId) {
        this(commandId, subjectWorkerId, bodyWorkerId, status, findingsCount, findingsBySeverity, output, errorCode,
                errorMessage, scanId, null, null);
    }

    /**
     * What a completed command changed in its asset's findings: those the asset had not (or no
     * longer) had, and those it fixed; counted by the findings package once all the command's
     * findings arrived, before the engine applies the result.
     */
    public record FindingChanges(int newCount, Map<String, Object> newBySeverity, int fixedCount,
            Map<String, Object> fixedBySeverity) {
    }

    /** The same result, with what it changed counted. */
    public WorkerResult withFindingChanges(FindingChanges counted) {
        return new WorkerResult(commandId, subjectWorkerId, bodyWorkerId, status, findingsCount, findingsBySeverity,
                output, errorCode, errorMessage, scanId, findingsSent, counted);
    }

    /** The same command reported failed instead (its findings did not all arrive). */
    public WorkerResult asFailure(String code, String message) {
        return new WorkerResult(commandId, subjectWorkerId, bodyWorkerId, "failed", null, null, null, code, message,
                scanId, findingsSent, null);
    }

    public WorkerResult(UUID commandId, String subjectWorkerId, String bodyWorkerId, String status,
            Integer findingsCount, Map<String, Object> findingsBySeverity, Map<String, Object> output,
            String errorCode, String errorMessage) {
        this(commandId, subjectWorkerId, bodyWorkerId, status, findingsCount, findingsBySeverity, output, errorCode,
                errorMessage, null);
    }
}
