package dev.scanflow.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * A state change, published on {@code <prefix>.events.<tenant>.<event>}: the design document's
 * payload ({@code event}, {@code timestamp}, {@code data}) and Scanflow's fields.
 * {@code type} and {@code occurred_at} are protocol 1.0's names of {@code event} and
 * {@code timestamp}, sent until protocol 2.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunEvent(String event, String timestamp, Map<String, Object> data, String id, String type,
        String occurredAt, String tenantId, String pipelineRunId, String pipelineId, Integer pipelineVersion,
        String assetId, String stepId) {

    public static RunEvent of(String id, String event, String timestamp, Map<String, Object> data, String tenantId,
            String pipelineRunId, String pipelineId, int pipelineVersion, String assetId, String stepId) {
        return new RunEvent(event, timestamp, data, id, event, timestamp, tenantId, pipelineRunId, pipelineId,
                pipelineVersion, assetId, stepId);
    }
}
