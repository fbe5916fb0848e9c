package dev.scanflow.common;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Types Jackson reads or writes outside REST endpoints (where Quarkus registers them by
 * itself): template parts converted to and from JSON columns, request bodies bound by
 * {@link DocumentReader}, worker protocol messages, and the YAML writer's output types.
 * The native image needs them registered for reflection.
 */
@RegisterForReflection(targets = {
        dev.scanflow.pipeline.definition.StepSpec.class,
        dev.scanflow.pipeline.definition.ConditionSpec.class,
        dev.scanflow.pipeline.definition.TriggerSpec.class,
        dev.scanflow.pipeline.definition.TargetSelector.class,
        dev.scanflow.pipeline.definition.SettingsSpec.class,
        dev.scanflow.pipeline.definition.SettingsSpec.NotificationSpec.class,
        dev.scanflow.pipeline.definition.TemplateDefinition.class,
        dev.scanflow.pipeline.PipelineView.class,
        dev.scanflow.pipeline.PipelineSummary.class,
        dev.scanflow.pipeline.VersionView.class,
        dev.scanflow.pipeline.PipelineResource.CloneRequest.class,
        dev.scanflow.pipeline.PipelineResource.ReorderRequest.class,
        dev.scanflow.asset.AssetInput.class,
        dev.scanflow.asset.AssetView.class,
        dev.scanflow.run.TriggerRequest.class,
        dev.scanflow.run.RunViews.RunView.class,
        dev.scanflow.run.RunViews.StepRunView.class,
        dev.scanflow.run.RunViews.RunSummary.class,
        dev.scanflow.run.RunViews.LogLine.class,
        dev.scanflow.run.RunViews.RunEvent.class,
        dev.scanflow.worker.WorkerMessages.Heartbeat.class,
        dev.scanflow.worker.WorkerMessages.Result.class,
        dev.scanflow.worker.WorkerMessages.Outcome.class,
        dev.scanflow.worker.WorkerMessages.Error.class,
        dev.scanflow.worker.WorkerMessages.LogLine.class,
        dev.scanflow.worker.WorkerView.class,
        dev.scanflow.common.Problem.class,
        dev.scanflow.common.Page.class,
        dev.scanflow.domain.ValidationError.class
})
public final class NativeReflection {

    private NativeReflection() {
    }
}
