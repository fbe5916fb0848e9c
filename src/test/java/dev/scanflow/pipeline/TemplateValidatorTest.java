package dev.scanflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.scanflow.common.ApiException;
import dev.scanflow.common.DocumentReader;
import dev.scanflow.condition.ConditionCompiler;
import dev.scanflow.domain.ValidationError;
import dev.scanflow.support.Documents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every template under src/test/resources/pipelines: the valid ones must pass, each
 * invalid one must fail with exactly the errors its "# expect: <path> | <message part>" lines name.
 */
class TemplateValidatorTest {

    private static final Path FIXTURES = Path.of("src/test/resources/pipelines");
    private static final DocumentReader READER = Documents.reader();
    private static final TemplateValidator VALIDATOR = new TemplateValidator(new ConditionCompiler());

    static Stream<Path> valid() throws IOException {
        return files("valid");
    }

    static Stream<Path> invalid() throws IOException {
        return files("invalid");
    }

    private static Stream<Path> files(String dir) throws IOException {
        return Files.list(FIXTURES.resolve(dir)).sorted();
    }

    static List<ValidationError> errorsOf(Path file) throws IOException {
        byte[] body = Files.readAllBytes(file);
        String type = file.toString().endsWith(".json") ? "application/json" : "application/yaml";
        try {
            TemplateInput input = READER.bind(READER.parse(body, type), TemplateInput.class, "Invalid pipeline template",
                    PipelineResource.SERVER_MANAGED);
            return VALIDATOR.validate(input).errors();
        } catch (ApiException e) {
            return e.errors();
        }
    }

    @ParameterizedTest
    @MethodSource("valid")
    void validTemplatesPass(Path file) throws IOException {
        assertEquals(List.of(), errorsOf(file), file.toString());
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidTemplatesFailWithTheirExactErrors(Path file) throws IOException {
        List<String[]> expected = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("# expect: ")) {
                String[] parts = line.substring("# expect: ".length()).split(" \\| ", 2);
                expected.add(parts);
            }
        }
        assertFalse(expected.isEmpty(), file + " has no '# expect:' line");
        List<ValidationError> errors = errorsOf(file);
        assertFalse(errors.isEmpty(), file + " was accepted");
        for (String[] e : expected) {
            boolean found = errors.stream().anyMatch(err -> err.path().equals(e[0]) && err.message().contains(e[1]));
            if (!found) {
                fail(file + ": expected an error at " + e[0] + " containing \"" + e[1] + "\" but got " + errors);
            }
        }
        long distinctPaths = expected.stream().map(e -> e[0]).distinct().count();
        assertEquals(distinctPaths, errors.stream().map(ValidationError::path).distinct().count(),
                file + ": unexpected extra errors " + errors);
    }

    @Test
    void normalizesTheSeedTemplate() throws IOException {
        byte[] body = Files.readAllBytes(FIXTURES.resolve("valid/full-security-scan.yaml"));
        TemplateInput input = READER.bind(READER.parse(body, "application/yaml"), TemplateInput.class, "t",
                PipelineResource.SERVER_MANAGED);
        TemplateDefinition d = VALIDATOR.validate(input).definition();
        assertEquals(List.of("manual", "schedule", "webhook"), d.triggers().stream().map(TriggerSpec::type).toList());
        assertEquals("0 2 * * *", d.triggers().get(1).cron());
        assertEquals("UTC", d.triggers().get(1).timezone());
        assertEquals(List.of("push"), d.triggers().get(2).events());
        StepSpec sast = d.steps().get(0);
        assertEquals("30m", sast.timeout());
        assertEquals(List.of(), sast.dependsOn());
        assertNull(sast.condition());
        StepSpec infra = d.steps().get(4);
        assertEquals("asset_type", infra.condition().type());
        assertEquals(3, d.settings().maxParallelSteps());
        assertTrue(d.steps().get(3).dependsOn().containsAll(List.of("sast", "sca", "secrets")));
    }

    @Test
    void defaultsAreFilledIn() throws IOException {
        TemplateInput input = READER.bind(READER.parse(
                        "{\"name\":\" spaced \",\"steps\":[{\"id\":\"a\",\"capabilities\":[\"x\"]}]}".getBytes(),
                        "application/json"), TemplateInput.class, "t", PipelineResource.SERVER_MANAGED);
        TemplateDefinition d = VALIDATOR.validate(input).definition();
        assertEquals("spaced", d.name());
        assertEquals(List.of(TriggerSpec.manual()), d.triggers());
        StepSpec a = d.steps().get(0);
        assertEquals("a", a.name());
        assertEquals(1, a.order());
        assertEquals("1h", a.timeout());
        assertEquals(5, d.settings().maxParallelSteps());
        assertFalse(d.settings().failFast());
        assertEquals(0, d.settings().retryFailedSteps());
    }

    @Test
    void shorthandConditionsTranslateToCel() {
        assertEquals("asset.type in ['repository', 'api']",
                TemplateValidator.toCel(new ConditionSpec("asset_type", null, List.of("repository", "api"), null, null)));
        assertEquals("steps.sast.findings_count > 0",
                TemplateValidator.toCel(new ConditionSpec("step_result", null, null, "sast", "findings_count > 0")));
        assertEquals("steps.ports.output.open_ports.size() > 0".replace(".size() > 0", " != []"),
                TemplateValidator.toCel(new ConditionSpec("step_result", null, null, "ports", "output.open_ports != []")));
        assertEquals("true", TemplateValidator.toCel(new ConditionSpec("always", null, null, null, null)));
        assertEquals("false", TemplateValidator.toCel(new ConditionSpec("never", null, null, null, null)));
    }
}
