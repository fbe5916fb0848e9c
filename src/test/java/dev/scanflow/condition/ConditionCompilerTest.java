package dev.scanflow.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConditionCompilerTest {

    private static final ConditionCompiler COMPILER = new ConditionCompiler();

    private static final Map<String, Object> VARS = Map.of(
            "asset", Map.of("type", "web_application", "name", "shop", "url", "https://shop.example.com",
                    "has_url", true, "tags", List.of("production", "pci"), "criticality", "high",
                    "properties", Map.of("branch", "main")),
            "steps", Map.of("sast", Map.of("status", "completed", "findings_count", 3,
                    "findings_by_severity", Map.of("high", 2), "output", Map.of("open_ports", List.of(443, 8080)))),
            "context", Map.of("user", "alice"),
            "run", Map.of("trigger_type", "manual"));

    private static boolean eval(String expression) throws ConditionException {
        return ConditionEvaluator.evaluate(COMPILER.compile(expression), VARS);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "asset.type == 'web_application'",
            "asset.type != 'repository' && asset.has_url",
            "asset.type in ['web_application', 'api']",
            "asset.tags.contains('production')",
            "'pci' in asset.tags",
            "asset.url.startsWith('https://') && asset.url.endsWith('.com') && asset.name.contains('sho')",
            "steps.sast.findings_count > 0 && steps.sast.findings_count <= 3 && steps.sast.findings_count >= 3",
            "steps.sast.findings_count + steps.sast.findings_by_severity.high == 5",
            "steps.sast.findings_count * 2 - steps.sast.findings_by_severity.high == 4",
            "steps.sast.findings_count + 1 == 4",
            "steps.sast.findings_by_severity.high < 5",
            "8080 in steps.sast.output.open_ports",
            "!(asset.criticality == 'low') || false",
            "context.user == 'alice' && run.trigger_type == 'manual'",
            "asset.properties.branch == 'main'"})
    void seedSyntaxCompilesAndHolds(String expression) throws ConditionException {
        assertTrue(eval(expression), expression);
    }

    @Test
    void falseConditionsAreFalse() throws ConditionException {
        assertFalse(eval("asset.tags.contains('staging')"));
        assertFalse(eval("asset.type in ['repository']"));
    }

    @Test
    void compileErrorsCarryAPosition() {
        ConditionException e = assertThrows(ConditionException.class, () -> COMPILER.compile("asset.type == "));
        assertTrue(e.getMessage().contains("line 1, column"), e.getMessage());
    }

    @Test
    void unknownVariablesDoNotTypeCheck() {
        ConditionException e = assertThrows(ConditionException.class, () -> COMPILER.compile("assets.type == 'x'"));
        assertTrue(e.getMessage().contains("undeclared reference"), e.getMessage());
    }

    @Test
    void nonBooleanResultIsRejected() {
        assertThrows(ConditionException.class, () -> COMPILER.compile("asset.type + 'x'"));
        assertThrows(ConditionException.class, () -> COMPILER.compile("1 + 2"));
    }

    @Test
    void expressionSizeIsLimited() {
        String huge = "true" + " && true".repeat(400);
        assertThrows(ConditionException.class, () -> COMPILER.compile(huge));
    }

    @Test
    void evaluationCostIsLimited() throws ConditionException {
        // 2,000 x 2,000 iterations would burn CPU; the comprehension limit stops it.
        CompiledCondition c = COMPILER.compile(
                "[" + "1,".repeat(60) + "1].all(x, [" + "1,".repeat(60) + "1].all(y, x == y))");
        var e = assertThrows(ConditionException.class, () -> ConditionEvaluator.evaluate(c, VARS));
        assertTrue(e.getMessage().toLowerCase().contains("iteration budget"), e.getMessage());
    }

    @Test
    void referencedStepsAreCollected() throws ConditionException {
        CompiledCondition c = COMPILER.compile("steps.sast.findings_count > 0 || steps.sca.status == 'failed'");
        assertEquals(Set.of("sast", "sca"), c.referencedSteps());
    }

    @Test
    void evaluationErrorsAreReported() throws ConditionException {
        CompiledCondition c = COMPILER.compile("steps.dast.findings_count > 0");
        assertThrows(ConditionException.class, () -> ConditionEvaluator.evaluate(c, VARS));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "asset.typo == 'x'",
            "asset.tag.contains('production')",
            "steps.sast.finding_count > 0",
            "steps.sast.findings_count > 'many'",
            "asset.has_url == 'yes'",
            "run.trigger == 'manual'",
            "context.brnach == 'main'",
            "has(context.typo)"})
    void unknownFieldsAndWrongTypesAreErrorsWhenWritten(String expression) {
        ConditionException e = assertThrows(ConditionException.class, () -> COMPILER.compile(expression), expression);
        assertTrue(e.getMessage().contains("line 1, column"), e.getMessage());
    }

    @Test
    void anUnknownContextFieldSaysHowToReadAKeyOfTheRunsOwn() throws ConditionException {
        ConditionException e = assertThrows(ConditionException.class, () -> COMPILER.compile("context.team == 'x'"));
        assertTrue(e.getMessage().contains("unknown context field 'team'"), e.getMessage());
        assertTrue(e.getMessage().contains("context['team']"), e.getMessage());
        assertTrue(eval("'team' in context || context['user'] == 'alice'"));
    }

    @Test
    void documentedContextFieldsReadAsEmptyWhenTheRunDidNotSetThem() throws ConditionException {
        for (String field : ConditionVariables.CONTEXT_FIELDS) {
            boolean expected = !field.equals("user"); // VARS sets only the user
            assertEquals(expected, eval("context." + field + " == ''"), field);
        }
        assertFalse(eval("context.environment == 'prod'"));
    }

    @Test
    void filtersAreTypedToo() throws ConditionException {
        ConditionCompiler filters = ConditionCompiler.assetFilters();
        assertTrue(ConditionEvaluator.evaluate(filters.compile("tags.contains('production') && asset.has_url"),
                Map.of("tags", List.of("production"), "asset", VARS.get("asset"))));
        assertThrows(ConditionException.class, () -> filters.compile("asset.typo == 'x'"));
        assertThrows(ConditionException.class, () -> filters.compile("has_url == 'x'"));
        assertThrows(ConditionException.class, () -> ConditionCompiler.payloadFilters().compile("event == 3"));
    }
}
