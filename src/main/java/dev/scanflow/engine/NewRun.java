package dev.scanflow.engine;

import dev.scanflow.domain.RunState;
import java.util.UUID;

/**
 * A run to create: its state as the decider will see it (steps pinned from the template
 * version, the asset as it was at launch) and what is stored beside it.
 */
public record NewRun(RunState state, UUID pipelineId, UUID templateId, int pipelineVersion, String pipelineName,
        UUID assetId, String priority, String triggerType, String triggeredBy, Integer maxConcurrentRuns) {

    /** Without a pipeline run limit. */
    public NewRun(RunState state, UUID pipelineId, UUID templateId, int pipelineVersion, String pipelineName,
            UUID assetId, String priority, String triggerType, String triggeredBy) {
        this(state, pipelineId, templateId, pipelineVersion, pipelineName, assetId, priority, triggerType, triggeredBy,
                null);
    }
}
