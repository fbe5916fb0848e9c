package dev.scanflow.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflow.common.ApiException;
import dev.scanflow.domain.ValidationError;
import dev.scanflow.pipeline.definition.TemplateDefinition;
import dev.scanflow.support.Documents;
import java.util.List;
import org.junit.jupiter.api.Test;

class TemplateUseTest {

    private static final ObjectMapper JSON = Documents.mapper();
    private static final TemplateDefinition FULL = SystemTemplateFilesTest.read("full-security-scan");

    private static ObjectNode use(String request) throws Exception {
        return TemplateUse.apply(JSON.valueToTree(FULL), FULL, request == null ? null : JSON.readTree(request));
    }

    private static List<ValidationError> errors(String request) {
        ApiException e = assertThrows(ApiException.class, () -> use(request));
        assertEquals(422, e.status());
        return e.errors();
    }

    @Test
    void withoutABodyTheTemplateIsCopiedAsItIs() throws Exception {
        ObjectNode doc = use(null);
        assertEquals("Full Security Scan", doc.path("name").asText());
        assertEquals(5, doc.path("steps").size());
    }

    @Test
    void overridesMergeStepsAndSettingsAndReplaceTriggers() throws Exception {
        ObjectNode doc = use("""
                {"name": "Nightly appsec", "tags": ["team-a"], "triggers": [{"schedule": "0 3 * * *"}],
                 "settings": {"max_parallel_steps": 2, "notification": {"channels": ["sec-slack"]}},
                 "steps": {"sast": {"config": {"rules": ["p/ci"], "severity_threshold": null}, "timeout": "10m"},
                           "dast": {"enabled": false}}}
                """);
        assertEquals("Nightly appsec", doc.path("name").asText());
        assertEquals("[\"team-a\"]", doc.path("tags").toString());
        assertEquals(1, doc.path("triggers").size());
        assertEquals(2, doc.path("settings").path("max_parallel_steps").asInt());
        // merged, not replaced: the notification's other fields stay
        assertTrue(doc.path("settings").path("notification").path("on_failure").asBoolean());
        assertEquals("[\"sec-slack\"]", doc.path("settings").path("notification").path("channels").toString());
        List<String> ids = doc.path("steps").findValuesAsText("id");
        assertEquals(List.of("sast", "sca", "secrets", "iac"), ids);
        JsonNode sast = doc.path("steps").get(0);
        assertEquals("[\"p/ci\"]", sast.path("config").path("rules").toString());
        assertFalse(sast.path("config").has("severity_threshold"), "null removes a key (RFC 7396)");
        assertEquals("10m", sast.path("timeout").asText());
        assertEquals("semgrep", sast.path("tool").asText());
    }

    @Test
    void aStepOthersDependOnCannotBeDroppedAlone() throws Exception {
        List<ValidationError> e = errors("{\"steps\": {\"sast\": {\"enabled\": false}}}");
        assertEquals("$.steps.sast.enabled", e.get(0).path());
        assertTrue(e.get(0).message().contains("dast depends on 'sast'"), e.get(0).message());
        // dropping the dependent too, or changing its depends_on, is fine
        assertEquals(3, use("{\"steps\": {\"sast\": {\"enabled\": false}, \"dast\": {\"enabled\": false}}}")
                .path("steps").size());
        assertEquals(4, use("{\"steps\": {\"sast\": {\"enabled\": false}, \"dast\": {\"depends_on\": [\"sca\"]}}}")
                .path("steps").size());
    }

    @Test
    void everyProblemOfTheRequestIsNamed() {
        List<ValidationError> e = errors("""
                {"nmae": "x", "settings": [1], "steps": {"nope": {}, "sca": {"enabled": "no"}, "iac": 3,
                 "secrets": {"id": "other"}, "sast": {"enabled": false, "timeout": "1m"}}}
                """);
        List<String> paths = e.stream().map(ValidationError::path).toList();
        assertTrue(paths.containsAll(List.of("$.nmae", "$.settings", "$.steps.nope", "$.steps.sca.enabled", "$.steps.iac",
                "$.steps.secrets.id", "$.steps.sast")), paths.toString());
        assertTrue(e.stream().anyMatch(x -> x.message().contains("its steps: sast, sca, secrets, iac, dast")), e.toString());
        assertEquals("$", errors("[1]").get(0).path());
        List<ValidationError> all = errors("""
                {"steps": {"sast": {"enabled": false}, "sca": {"enabled": false}, "secrets": {"enabled": false},
                 "iac": {"enabled": false}, "dast": {"enabled": false}}}
                """);
        assertTrue(all.stream().anyMatch(x -> x.message().contains("every step is disabled")), all.toString());
    }
}
