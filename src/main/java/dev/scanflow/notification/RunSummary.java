package dev.scanflow.notification;

import io.quarkus.qute.TemplateData;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * What a notification says about a run, fixed when the notification is planned (so a retry
 * sends the same message): the pipeline, asset, outcome, trigger, duration, findings and steps.
 */
@RegisterForReflection
@TemplateData // read by the email templates (templates/notification/)
public record RunSummary(String runId, String pipelineId, String pipelineName, int pipelineVersion, String assetName,
        String assetType, String status, String triggerType, String triggeredBy, Long durationSeconds,
        int totalFindings, Map<String, Integer> findingsBySeverity, String errorMessage, List<Step> steps, String link) {

    @RegisterForReflection
    @TemplateData
    public record Step(String id, String name, String status, Integer findingsCount,
            Map<String, Integer> findingsBySeverity, String skipReason, String errorCode, String errorMessage) {
    }

    public boolean succeeded() {
        return "completed".equals(status);
    }
}
