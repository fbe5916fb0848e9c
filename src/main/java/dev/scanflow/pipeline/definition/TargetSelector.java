package dev.scanflow.pipeline.definition;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * One entry of a schedule's {@code targets}: which of the tenant's assets a fire covers. Fields
 * within one selector must all match (AND); an asset matching any selector of the list is a
 * target (OR). {@code asset_filter} is CEL over the asset's fields at top level
 * ({@code tags.contains('production')}); {@code asset_type}, {@code criticality} and
 * {@code asset_id} take one value or a list (any of them); {@code tags} lists tags the asset must
 * all have. Values keep the shape they were written in.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record TargetSelector(String assetFilter, Object assetType, Object criticality, List<String> tags,
        Object assetId) {

    @JsonIgnore
    public List<String> assetTypes() {
        return Values.strings(assetType);
    }

    @JsonIgnore
    public List<String> criticalities() {
        return Values.strings(criticality);
    }

    @JsonIgnore
    public List<String> assetIds() {
        return Values.strings(assetId);
    }
}
