package dev.scanflow.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.MergePatch;
import dev.scanflow.domain.ValidationError;
import dev.scanflow.pipeline.definition.ConditionSpec;
import dev.scanflow.pipeline.definition.StepSpec;
import dev.scanflow.pipeline.definition.TemplateDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules of the steps API, applied to a template document before it is read (and checked)
 * again as a whole: a step body is written into the template as sent, so it gets the same
 * defaults and the same errors as in a full template.
 */
final class StepEdits {

    private StepEdits() {
    }

    /** Adds a step at the end; 409 when its id exists. */
    static ObjectNode add(ObjectNode template, JsonNode step) {
        String id = requireObjectWithId(step, null);
        ArrayNode steps = steps(template);
        if (indexOf(steps, id) >= 0) {
            throw ApiException.conflict("the pipeline already has a step '" + id + "'");
        }
        steps.add(step);
        return template;
    }

    /** Replaces the step with this id by the body (whose id, if given, must be the same). */
    static ObjectNode replace(ObjectNode template, String stepId, JsonNode step) {
        requireObjectWithId(step, stepId);
        ArrayNode steps = steps(template);
        int i = existing(steps, stepId);
        ObjectNode body = ((ObjectNode) step).deepCopy();
        body.put("id", stepId);
        steps.set(i, body);
        return template;
    }

    /** Merges the body into the step (JSON Merge Patch, RFC 7396): fields left out stay, null removes one. */
    static ObjectNode patch(ObjectNode template, String stepId, JsonNode patch) {
        if (!patch.isObject()) {
            throw ApiException.invalid("Invalid step patch", List.of(ValidationError.at("$",
                    "the body must be an object: the step's fields to change (null removes one)")));
        }
        JsonNode id = patch.get("id");
        if (id != null && !(id.isTextual() && id.textValue().equals(stepId))) {
            throw ApiException.invalid("$.id", "a patch keeps the step's id ('" + stepId + "'); leave id out");
        }
        ArrayNode steps = steps(template);
        int i = existing(steps, stepId);
        steps.set(i, MergePatch.apply(steps.get(i), patch));
        return template;
    }

    /** Deletes a step; 409 while other steps depend on it or read its result, or when it is the last one. */
    static ObjectNode delete(ObjectNode template, TemplateDefinition current, String stepId) {
        ArrayNode steps = steps(template);
        int i = existing(steps, stepId);
        List<String> dependents = current.steps().stream()
                .filter(s -> s.dependsOn().contains(stepId) || (s.condition() != null
                        && ConditionSpec.STEP_RESULT.equals(s.condition().type()) && stepId.equals(s.condition().step())))
                .map(StepSpec::id).toList();
        if (!dependents.isEmpty()) {
            throw ApiException.conflict("step '" + stepId + "' cannot be deleted: " + String.join(", ", dependents)
                    + " depend" + (dependents.size() == 1 ? "s" : "") + " on it");
        }
        if (steps.size() == 1) {
            throw ApiException.conflict("step '" + stepId + "' is the last step; deactivate the pipeline instead");
        }
        steps.remove(i);
        return template;
    }

    /** Sets every step's order from its place in {@code order}, which must name each step once. */
    static ObjectNode reorder(ObjectNode template, List<String> order) {
        ArrayNode steps = steps(template);
        List<String> ids = new ArrayList<>();
        steps.forEach(s -> ids.add(s.path("id").asText()));
        List<ValidationError> errors = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < order.size(); i++) {
            String key = order.get(i);
            if (!ids.contains(key)) {
                errors.add(ValidationError.at("$.order[" + i + "]", "unknown step '" + key + "'"));
            } else if (!seen.add(key)) {
                errors.add(ValidationError.at("$.order[" + i + "]", "'" + key + "' is listed twice"));
            }
        }
        ids.stream().filter(k -> !order.contains(k))
                .forEach(k -> errors.add(ValidationError.at("$.order", "step '" + k + "' is missing")));
        if (!errors.isEmpty()) {
            throw ApiException.invalid("Invalid reorder request", errors);
        }
        steps.forEach(s -> ((ObjectNode) s).put("order", order.indexOf(s.path("id").asText()) + 1));
        return template;
    }

    /** The JSON path of the step with this id in the template, or null. */
    static String pathOf(ObjectNode template, String stepId) {
        int i = stepId == null ? -1 : indexOf(steps(template), stepId);
        return i < 0 ? null : "$.steps[" + i + "]";
    }

    private static String requireObjectWithId(JsonNode step, String pathId) {
        if (!step.isObject()) {
            throw ApiException.invalid("Invalid step", List.of(ValidationError.at("$", "the body must be an object (a step)")));
        }
        JsonNode id = step.get("id");
        if (pathId != null) {
            if (id != null && !id.isNull() && !(id.isTextual() && id.textValue().equals(pathId))) {
                throw ApiException.invalid("$.id", "must be '" + pathId + "' (the step in the path) or be left out");
            }
            return pathId;
        }
        if (id == null || id.isNull()) {
            throw ApiException.invalid("$.id", "is required");
        }
        if (!id.isTextual()) {
            throw ApiException.invalid("$.id", "wrong type: expected a string");
        }
        return id.textValue();
    }

    private static ArrayNode steps(ObjectNode template) {
        return (ArrayNode) template.get("steps");
    }

    private static int indexOf(ArrayNode steps, String id) {
        for (int i = 0; i < steps.size(); i++) {
            if (id.equals(steps.get(i).path("id").asText())) {
                return i;
            }
        }
        return -1;
    }

    private static int existing(ArrayNode steps, String id) {
        int i = indexOf(steps, id);
        if (i < 0) {
            throw ApiException.notFound("step '" + id + "'");
        }
        return i;
    }
}
