package dev.scanflow.run;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/** Body of POST /api/v1/pipelines/{id}/run: the asset to scan, the run's context, its priority. */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record RunLaunchRequest(String assetId, Map<String, Object> context, String priority) {
}
