package dev.scanflow.pipeline;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * When a step runs. {@code type} is one of {@code expression} (CEL in {@code expression}),
 * {@code asset_type} ({@code asset_types}), {@code step_result} ({@code step} and an optional
 * {@code check} such as {@code findings_count > 0}), {@code always} or {@code never}.
 * A bare string is a CEL expression.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConditionSpec(String type, String expression, List<String> assetTypes, String step, String check) {

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ConditionSpec ofExpression(String expression) {
        return new ConditionSpec("expression", expression, null, null, null);
    }

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public static ConditionSpec of(@com.fasterxml.jackson.annotation.JsonProperty("type") String type,
            @com.fasterxml.jackson.annotation.JsonProperty("expression") String expression,
            @com.fasterxml.jackson.annotation.JsonProperty("asset_types") List<String> assetTypes,
            @com.fasterxml.jackson.annotation.JsonProperty("step") String step,
            @com.fasterxml.jackson.annotation.JsonProperty("check") String check) {
        return new ConditionSpec(type, expression, assetTypes, step, check);
    }
}
