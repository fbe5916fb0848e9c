package dev.scanflow.pipeline.definition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every template under src/test/resources/pipelines: the valid ones must pass (and read
 * the same after a trip through JSON and through YAML), each invalid one must fail with exactly
 * the errors its "# expect: <path> | <message part>" lines name.
 */
class TemplateReaderTest {

    static final Path FIXTURES = Path.of("src/test/resources/pipelines");
    private static final DocumentReader DOCUMENTS = Documents.reader();
    private static final ObjectMapper JSON = Documents.mapper();
    static final TemplateReader READER = new TemplateReader(new ConditionCompiler(), ConditionCompiler.assetFilters(),
            ConditionCompiler.payloadFilters());

    /** The valid fixtures, the templates in examples/ (what users copy must stay valid) and the system templates. */
    static Stream<Path> valid() throws IOException {
        return Stream.of(files("valid"), Files.list(Path.of("examples"))
                        .filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().startsWith("worker")).sorted(),
                        Files.list(Path.of("src/main/resources/system-templates")).sorted())
                .flatMap(s -> s);
    }

    static Stream<Path> invalid() throws IOException {
        return files("invalid");
    }

    private static Stream<Path> files(String dir) throws IOException {
        return Files.list(FIXTURES.resolve(dir)).sorted();
    }

    static JsonNode parse(Path file) throws IOException {
        String type = file.toString().endsWith(".json") ? "application/json" : "application/yaml";
        return DOCUMENTS.parse(Files.readAllBytes(file), type);
    }

    static List<ValidationError> errorsOf(Path file) throws IOException {
        try {
            return READER.read(parse(file)).errors();
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
    @MethodSource("valid")
    void validTemplatesReadTheSameAfterAJsonAndAYamlRoundTrip(Path file) throws IOException {
        TemplateDefinition first = READER.read(parse(file)).definition();
        JsonNode asJson = JSON.readTree(JSON.writeValueAsBytes(first));
        TemplateDefinition again = READER.read(asJson).definition();
        assertEquals(first, again, "through JSON: " + file);
        byte[] yaml = DOCUMENTS.yamlWriter().writeValueAsBytes(JSON.valueToTree(first));
        TemplateDefinition fromYaml = READER.read(DOCUMENTS.parse(yaml, "application/yaml")).definition();
        assertEquals(first, fromYaml, "through YAML: " + file);
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidTemplatesFailWithTheirExactErrors(Path file) throws IOException {
        List<String[]> expected = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("# expect: ")) {
                expected.add(line.substring("# expect: ".length()).split(" \\| ", 2));
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
    void readsTheDesignDocumentsTemplateForms() throws IOException {
        TemplateReader.Result result = READER.read(parse(FIXTURES.resolve("valid/full-security-scan.yaml")));
        TemplateDefinition d = result.definition();
        assertEquals(List.of("manual", "schedule", "webhook", "asset_discovery"),
                d.triggers().stream().map(TriggerSpec::type).toList());
        assertEquals("0 2 * * *", d.triggers().get(1).cron());
        assertEquals("UTC", d.triggers().get(1).timezone());
        assertEquals(List.of("push"), d.triggers().get(2).events());
        StepSpec sast = d.steps().get(0);
        assertEquals("30m", sast.timeout());
        assertEquals(List.of(), sast.dependsOn());
        assertNull(sast.condition());
        StepSpec dast = d.steps().get(3);
        assertEquals(new ConditionSpec("expression", "asset.type == 'web_application' && asset.has_url", null, null),
                dast.condition());
        assertEquals(3, d.settings().maxParallelSteps());
        assertEquals(1, d.settings().retryFailedSteps());
        assertEquals(new SettingsSpec.NotificationSpec(true, true, null, List.of("slack", "email")),
                d.settings().notification());
        // the placeholders the document's example carries are handed to the caller, not stored
        assertEquals("pipeline-fss", result.readOnly().get("id").asText());
        assertEquals("tenant-placeholder", result.readOnly().get("tenant_id").asText());
    }

    @Test
    void answersUseTheDocumentsFieldNames() throws IOException {
        TemplateDefinition d = READER.read(parse(FIXTURES.resolve("valid/every-condition-form.yaml"))).definition();
        JsonNode out = JSON.valueToTree(d);
        JsonNode ports = out.at("/steps/0/condition");
        assertEquals("asset_type", ports.get("type").asText());
        assertEquals("server", ports.get("value").asText(), "one asset type stays one string");
        assertEquals(2, ports.size());
        assertTrue(out.at("/steps/1/condition/value").isArray(), "a list stays a list");
        assertEquals("{\"type\":\"step_result\",\"step\":\"ports\",\"check\":\"findings_count > 0\"}",
                out.at("/steps/2/condition").toString());
        assertEquals("{\"type\":\"always\"}", out.at("/steps/6/condition").toString());
        assertEquals("{\"type\":\"expression\",\"value\":\"asset.criticality <= 'low' || asset.tags.size() < 3\"}",
                out.at("/steps/8/condition").toString(), "a bare string is an expression condition");
    }

    @Test
    void earlierSpellingsAreReadAndAnsweredInTheDocumentsNames() throws IOException {
        TemplateDefinition d = READER.read(parse(FIXTURES.resolve("valid/earlier-spellings.yaml"))).definition();
        JsonNode out = JSON.valueToTree(d);
        assertEquals("{\"type\":\"expression\",\"value\":\"asset.type == 'repository'\"}",
                out.at("/steps/0/condition").toString());
        assertEquals("{\"type\":\"asset_type\",\"value\":[\"server\",\"network\"]}", out.at("/steps/1/condition").toString());
        assertEquals("{\"type\":\"expression\",\"value\":\"asset.has_url\"}", out.at("/steps/2/condition").toString());
        assertEquals("{\"on_completion\":true,\"on_failure\":false,\"on_start\":true,\"channels\":[\"slack\"]}",
                out.at("/settings/notification").toString());
        assertEquals("[{\"asset_type\":[\"repository\"],\"criticality\":[\"critical\",\"high\"],\"tags\":[\"production\"]}]",
                out.at("/triggers/0/targets").toString(), "one selector object becomes a list of one");
    }

    @Test
    void schedulesLongFormKeepsItsSelectors() throws IOException {
        TemplateDefinition d = READER.read(parse(FIXTURES.resolve("valid/scheduling.yaml"))).definition();
        TriggerSpec nightly = d.triggers().get(0);
        assertEquals(List.of(new TargetSelector("tags.contains('production')", null, null, null, null)), nightly.targets());
        TriggerSpec weekly = d.triggers().get(1);
        assertEquals("UTC", weekly.timezone(), "the default zone");
        assertEquals(new TargetSelector(null, "repository", "critical", null, null), weekly.targets().get(0));
        assertEquals(List.of("web_application", "api"), weekly.targets().get(1).assetTypes());
        assertEquals(List.of("pci"), weekly.targets().get(1).tags());
        assertEquals("Europe/Berlin", d.triggers().get(2).timezone());
        assertEquals(List.of("repository"), d.triggers().get(4).assetTypes());
        JsonNode out = JSON.valueToTree(weekly);
        assertEquals("{\"asset_type\":\"repository\",\"criticality\":\"critical\"}", out.at("/targets/0").toString());
    }

    @Test
    void defaultsAreFilledIn() {
        TemplateDefinition d = READER.read(JSON.valueToTree(Map.of("name", " spaced ",
                "steps", List.of(Map.of("id", "a", "capabilities", List.of("x")))))).definition();
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
                ConditionCel.of(new ConditionSpec("asset_type", List.of("repository", "api"), null, null)));
        assertEquals("asset.type in ['repository']", ConditionCel.of(new ConditionSpec("asset_type", "repository", null, null)));
        assertEquals("steps.sast.findings_count > 0",
                ConditionCel.of(new ConditionSpec("step_result", null, "sast", "findings_count > 0")));
        assertEquals("(has(steps.ports.output.open_ports) && steps.ports.output.open_ports != [])",
                ConditionCel.of(new ConditionSpec("step_result", null, "ports", "output.open_ports != []")));
        assertEquals("true", ConditionCel.of(new ConditionSpec("always", null, null, null)));
        assertEquals("false", ConditionCel.of(new ConditionSpec("never", null, null, null)));
    }
}
