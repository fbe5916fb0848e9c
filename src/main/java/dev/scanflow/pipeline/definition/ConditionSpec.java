package dev.scanflow.pipeline.definition;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * When a step runs, in the design document's shapes: {@code {type: expression, value: <CEL>}},
 * {@code {type: asset_type, value: repository}} (one type, or a list), {@code {type: step_result,
 * step: sast, check: "findings_count > 0"}}, {@code {type: always}} and {@code {type: never}}.
 * {@code value} keeps the shape it was written in (a string, or a list for asset types).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record ConditionSpec(String type, Object value, String step, String check) {

    public static final String EXPRESSION = "expression";
    public static final String ASSET_TYPE = "asset_type";
    public static final String STEP_RESULT = "step_result";
    public static final String ALWAYS = "always";
    public static final String NEVER = "never";
    public static final List<String> TYPES = List.of(EXPRESSION, ASSET_TYPE, STEP_RESULT, ALWAYS, NEVER);

    /** The CEL text of an {@code expression} condition. */
    @JsonIgnore
    public String expression() {
        return value instanceof String s ? s : null;
    }

    /** The asset types of an {@code asset_type} condition, whether written as one or as a list. */
    @JsonIgnore
    public List<String> assetTypes() {
        return Values.strings(value);
    }
}
