package dev.scanflow.pipeline.definition;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CEL text of a condition: shorthand types are translated, so every condition is checked
 * at save time and evaluated at run time the same way.
 */
public final class ConditionCel {

    /** A {@code step_result} check: {@code <field> <operator> <value>}. */
    static final Pattern CHECK = Pattern.compile(
            "^\\s*(status|new_findings_count|findings_count|error_code|new_findings_by_severity\\.[a-z_]+|findings_by_severity\\.[a-z_]+|output(?:\\.[A-Za-z_][A-Za-z0-9_]*)+)"
                    + "\\s*(==|!=|>=|<=|>|<)\\s*(\\S.*)$");

    private ConditionCel() {
    }

    /**
     * A {@code step_result} check on {@code output.<key>} is false when the step produced no such key.
     *
     * @throws IllegalArgumentException with a message for users when a {@code step_result}
     *                                  check does not have the expected form
     */
    public static String of(ConditionSpec c) {
        return switch (c.type()) {
            case ConditionSpec.EXPRESSION -> c.expression();
            case ConditionSpec.ASSET_TYPE -> "asset.type in [" + String.join(", ",
                    c.assetTypes().stream().map(t -> "'" + t + "'").toList()) + "]";
            case ConditionSpec.STEP_RESULT -> {
                Matcher m = CHECK.matcher(c.check());
                if (!m.matches()) {
                    throw new IllegalArgumentException("check '" + c.check()
                            + "' must read '<field> <operator> <value>' with a field among status, findings_count,"
                            + " new_findings_count, error_code, findings_by_severity.<severity>,"
                            + " new_findings_by_severity.<severity>, output.<key>");
                }
                String field = "steps." + c.step() + "." + m.group(1);
                String test = field + " " + m.group(2) + " " + m.group(3).trim();
                // an output key the step did not produce fails the check (the step is skipped)
                // rather than the condition: outputs differ between tools and skipped steps have none
                yield m.group(1).startsWith("output.") ? "(has(" + field + ") && " + test + ")" : test;
            }
            case ConditionSpec.ALWAYS -> "true";
            case ConditionSpec.NEVER -> "false";
            default -> throw new IllegalArgumentException("unknown condition type " + c.type());
        };
    }
}
