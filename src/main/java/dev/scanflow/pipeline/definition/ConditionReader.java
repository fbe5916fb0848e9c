package dev.scanflow.pipeline.definition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.common.TreeReader;
import dev.scanflow.condition.ConditionCompiler;
import dev.scanflow.condition.ConditionException;
import dev.scanflow.domain.AssetTypes;
import java.util.List;
import java.util.Set;

/**
 * Reads a step's {@code condition} in every form the design document shows (a bare string is a
 * CEL expression too) and checks it: the fields its type needs, known asset types, and CEL that
 * compiles and type-checks. Today's earlier spellings {@code expression} and
 * {@code asset_types} are read as {@code value}.
 */
final class ConditionReader {

    private final ConditionCompiler compiler;

    ConditionReader(ConditionCompiler compiler) {
        this.compiler = compiler;
    }

    /** The condition, or null when it could not be read (the errors say why). */
    ConditionSpec read(JsonNode node, String at, TreeReader reader) {
        if (node.isTextual()) {
            ConditionSpec c = new ConditionSpec(ConditionSpec.EXPRESSION, node.textValue(), null, null);
            compile(c, at, reader);
            return c;
        }
        TreeReader.Fields f = reader.object(node, at);
        if (f == null) {
            return null;
        }
        String valueField = f.spelling("value", "expression", "asset_types");
        String type = f.text("type");
        if (type == null && f.present("expression")) {
            type = ConditionSpec.EXPRESSION; // {expression: "..."} alone, as earlier versions wrote it
        }
        String step = f.text("step");
        String check = f.text("check");
        Object value = f.stringOrStrings(valueField);
        f.done();
        if (type == null) {
            if (!reader.hasErrorsUnder(f.path("type"))) {
                reader.error(f.path("type"), "is required (one of " + String.join(", ", ConditionSpec.TYPES) + ")");
            }
            return null;
        }
        if (!ConditionSpec.TYPES.contains(type)) {
            reader.error(f.path("type"), "unknown condition type '" + type + "' (one of "
                    + String.join(", ", ConditionSpec.TYPES) + ")");
            return null;
        }
        Set<String> allowed = switch (type) {
            case ConditionSpec.EXPRESSION, ConditionSpec.ASSET_TYPE -> Set.of("value");
            case ConditionSpec.STEP_RESULT -> Set.of("step", "check");
            default -> Set.of();
        };
        if (f.present(valueField) && !allowed.contains("value")) {
            reader.error(f.path(valueField), "is not allowed for condition type '" + type + "'");
        }
        for (String field : List.of("step", "check")) {
            if (f.present(field) && !allowed.contains(field)) {
                reader.error(f.path(field), "is not allowed for condition type '" + type + "'");
            }
        }
        String valuePath = f.path(valueField);
        ConditionSpec c = switch (type) {
            case ConditionSpec.EXPRESSION -> {
                if (value == null && !reader.hasErrorsUnder(valuePath)) {
                    reader.error(valuePath, "is required for condition type 'expression' (the CEL expression)");
                } else if (value != null && !(value instanceof String)) {
                    reader.error(valuePath, "wrong type: expected a string (the CEL expression)");
                    value = null;
                } else if (value != null && ((String) value).isBlank()) {
                    reader.error(valuePath, "must not be empty");
                }
                yield new ConditionSpec(type, value, null, null);
            }
            case ConditionSpec.ASSET_TYPE -> {
                List<String> types = value == null ? List.of() : Values.strings(value);
                if (types.isEmpty() && !reader.hasErrorsUnder(valuePath)) {
                    reader.error(valuePath, "name an asset type, or a list of them (known: "
                            + String.join(", ", AssetTypes.ALL) + ")");
                }
                for (int j = 0; j < types.size(); j++) {
                    if (!AssetTypes.isKnown(types.get(j))) {
                        reader.error(value instanceof String ? valuePath : valuePath + "[" + j + "]",
                                "unknown asset type '" + types.get(j) + "' (known: " + String.join(", ", AssetTypes.ALL) + ")");
                    }
                }
                yield new ConditionSpec(type, value, null, null);
            }
            case ConditionSpec.STEP_RESULT -> {
                if (step == null || step.isBlank()) {
                    reader.error(f.path("step"), "is required for condition type 'step_result'");
                }
                yield new ConditionSpec(type, null, step, check == null ? "status == 'completed'" : check);
            }
            default -> new ConditionSpec(type, null, null, null);
        };
        if (!reader.hasErrorsUnder(at)) {
            compile(c, type.equals(ConditionSpec.STEP_RESULT) ? f.path("check") : valuePath, reader);
        }
        return c;
    }

    private void compile(ConditionSpec c, String at, TreeReader reader) {
        try {
            compiler.compile(ConditionCel.of(c));
        } catch (ConditionException e) {
            reader.error(at, "invalid condition: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            reader.error(at, e.getMessage());
        }
    }

    /** The steps a condition reads ({@code steps.<id>} in CEL, or a step_result's step). */
    Set<String> referencedSteps(ConditionSpec c) {
        if (ConditionSpec.STEP_RESULT.equals(c.type())) {
            return c.step() == null ? Set.of() : Set.of(c.step());
        }
        if (ConditionSpec.EXPRESSION.equals(c.type())) {
            try {
                return compiler.compile(c.expression()).referencedSteps();
            } catch (ConditionException e) {
                return Set.of(); // reported already
            }
        }
        return Set.of();
    }
}
