package dev.scanflow.engine;

import dev.scanflow.domain.RunState;
import java.util.UUID;

/** A run locked for a decision: the decider's state plus what the shell needs for messages. */
record LoadedRun(RunState state, UUID pipelineId, int pipelineVersion, String pipelineName, UUID assetId,
        String priority, Integer maxConcurrentRuns) {
}
