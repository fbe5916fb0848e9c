package dev.scanflow.notification;

import io.quarkus.qute.TemplateData;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * What a notification says about a run, fixed when the notification is planned (so a retry
 * sends the same message): the pipeline, asset, outcome, trigger, duration, findings and steps,
 * and what the run changed in the asset's findings ({@code changes}: "3 new (1 critical), 12
 * fixed, 280 unchanged"; null when no step's worker sent findings records).
 */
@RegisterForReflection
@TemplateData // read by the email templates (templates/notification/)
public record RunSummary(String runId, String pipelineId, String pipelineName, int pipelineVersion, String assetName,
        String assetType, String status, String triggerType, String triggeredBy, Long durationSeconds,
        int totalFindings, Map<String, Integer> findingsBySeverity, String errorMessage, List<Step> steps, String link,
        Integer newFindingsCount, Integer fixedFindingsCount, Map<String, Integer> newFindingsBySeverity,
        String changes) {

    /** Without findings' changes (a worker that sends counts only, a test message). */
    public RunSummary(String runId, String pipelineId, String pipelineName, int pipelineVersion, String assetName,
            String assetType, String status, String triggerType, String triggeredBy, Long durationSeconds,
            int totalFindings, Map<String, Integer> findingsBySeverity, String errorMessage, List<Step> steps,
            String link) {
        this(runId, pipelineId, pipelineName, pipelineVersion, assetName, assetType, status, triggerType, triggeredBy,
                durationSeconds, totalFindings, findingsBySeverity, errorMessage, steps, link, null, null, null, null);
    }

    @RegisterForReflection
    @TemplateData
    public record Step(String id, String name, String status, Integer findingsCount,
            Map<String, Integer> findingsBySeverity, String skipReason, String errorCode, String errorMessage) {
    }

    public boolean succeeded() {
        return "completed".equals(status);
    }
}
