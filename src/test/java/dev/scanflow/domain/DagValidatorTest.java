package dev.scanflow.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DagValidatorTest {

    private static DagValidator.Node node(String id, int index, String... deps) {
        return new DagValidator.Node(id, index, List.of(deps));
    }

    @Test
    void acceptsADiamond() {
        var nodes = List.of(node("a", 0), node("b", 1, "a"), node("c", 2, "a"), node("d", 3, "b", "c"));
        assertTrue(DagValidator.validate(nodes).isEmpty());
    }

    @Test
    void reportsUnknownDependencyWithItsPath() {
        var errors = DagValidator.validate(List.of(node("a", 0), node("b", 1, "a", "ghost")));
        assertEquals(List.of(ValidationError.at("$.steps[1].depends_on[1]", "depends on unknown step 'ghost'")), errors);
    }

    @Test
    void namesTheStepsOfACycle() {
        var errors = DagValidator.validate(List.of(node("sast", 0, "dast"), node("dast", 1, "sca"), node("sca", 2, "sast")));
        assertEquals(1, errors.size());
        String message = errors.get(0).message();
        assertTrue(message.startsWith("dependency cycle: "), message);
        for (String step : List.of("sast", "dast", "sca")) {
            assertTrue(message.contains(step), message);
        }
        String[] parts = message.substring("dependency cycle: ".length()).split(" -> ");
        assertEquals(4, parts.length, message);
        assertEquals(parts[0], parts[3], "a cycle ends where it starts: " + message);
    }

    @Test
    void selfDependencyIsACycle() {
        var errors = DagValidator.validate(List.of(node("a", 0, "a")));
        assertEquals("dependency cycle: a -> a", errors.get(0).message());
        assertEquals("$.steps[0].depends_on", errors.get(0).path());
    }

    @Test
    void upstreamIsTransitive() {
        Map<String, List<String>> deps = Map.of("a", List.of(), "b", List.of("a"), "c", List.of("b"), "d", List.of());
        assertEquals(Set.of("a", "b"), DagValidator.upstreamOf("c", deps));
        assertEquals(Set.of(), DagValidator.upstreamOf("d", deps));
    }
}
