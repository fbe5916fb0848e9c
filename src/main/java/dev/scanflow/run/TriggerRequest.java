package dev.scanflow.run;

import java.util.Map;

/** Body of POST /api/v1/pipelines/{id}/run. */
public record TriggerRequest(String assetId, Map<String, Object> context, String priority) {
}
