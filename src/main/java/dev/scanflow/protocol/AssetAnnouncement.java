package dev.scanflow.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * An asset a discovery tool found, on {@code <prefix>.assets.discovered.<tenant_id>} (JetStream):
 * the fields of {@code POST /api/v1/assets}. Scanflow upserts it by tenant, type and name, then
 * starts the pipelines whose triggers include {@code on_asset_discovery}. {@code source} names
 * the tool, for the record.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AssetAnnouncement(String type, String name, String url, List<String> tags, String criticality,
        Map<String, Object> properties, String source) {
}
