package dev.scanflow.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.MergePatch;
import dev.scanflow.common.TreeReader;
import dev.scanflow.pipeline.definition.ConditionSpec;
import dev.scanflow.pipeline.definition.StepSpec;
import dev.scanflow.pipeline.definition.TemplateDefinition;
import dev.scanflow.pipeline.definition.TemplateReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /pipeline-templates/{id}/use} applied to a system template's
 * document: a new {@code name}, {@code description} or {@code tags}; {@code triggers} replaced;
 * {@code settings} merged (JSON Merge Patch); and per step, under {@code steps.<step id>}, a
 * merge patch of the step ({@code config} merges key by key) or {@code enabled: false} to leave
 * the step out. The result is then validated as a whole template by the caller.
 */
final class TemplateUse {

    static final String[] FIELDS = {"name", "description", "tags", "triggers", "settings", "steps"};

    private TemplateUse() {
    }

    /** @return the new template document; 422 with every problem of the request */
    static ObjectNode apply(ObjectNode template, TemplateDefinition current, JsonNode request) {
        ObjectNode doc = template.deepCopy();
        doc.remove(TemplateReader.READ_ONLY);
        if (request == null || request.isNull() || request.isMissingNode()) {
            return doc;
        }
        TreeReader reader = new TreeReader();
        TreeReader.Fields f = reader.object(request, "$");
        if (f == null) {
            throw ApiException.invalid("Invalid use request", reader.errors());
        }
        f.allow(FIELDS);
        for (String field : List.of("name", "description", "tags", "triggers")) {
            if (request.has(field)) {
                doc.set(field, request.get(field).deepCopy());
            }
        }
        if (request.has("settings")) {
            JsonNode settings = request.get("settings");
            if (!settings.isObject()) {
                reader.error("$.settings", "wrong type: expected an object (merged into the template's settings)");
            } else {
                doc.set("settings", MergePatch.apply(doc.path("settings").isObject() ? doc.get("settings")
                        : doc.objectNode(), settings));
            }
        }
        if (request.has("steps")) {
            steps(doc, current, request.get("steps"), reader);
        }
        f.done();
        if (!reader.errors().isEmpty()) {
            throw ApiException.invalid("Invalid use request", reader.errors());
        }
        return doc;
    }

    private static void steps(ObjectNode doc, TemplateDefinition current, JsonNode overrides, TreeReader reader) {
        if (!overrides.isObject()) {
            reader.error("$.steps", "wrong type: expected an object keyed by step id, e.g. "
                    + "{\"dast\": {\"enabled\": false}, \"sast\": {\"config\": {\"rules\": [\"p/ci\"]}}}");
            return;
        }
        List<String> ids = current.steps().stream().map(StepSpec::id).toList();
        Set<String> dropped = new LinkedHashSet<>();
        ArrayNode steps = (ArrayNode) doc.get("steps");
        for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> o = it.next();
            String path = "$.steps." + o.getKey();
            int index = ids.indexOf(o.getKey());
            if (index < 0) {
                reader.error(path, "the template has no step '" + o.getKey() + "' (its steps: " + String.join(", ", ids) + ")");
                continue;
            }
            if (!o.getValue().isObject()) {
                reader.error(path, "wrong type: expected an object (fields of the step to change, or enabled: false)");
                continue;
            }
            ObjectNode patch = ((ObjectNode) o.getValue()).deepCopy();
            JsonNode enabled = patch.remove("enabled");
            if (enabled != null && !enabled.isBoolean()) {
                reader.error(path + ".enabled", "wrong type: expected true or false");
                continue;
            }
            if (patch.has("id")) {
                reader.error(path + ".id", "a step keeps its id; leave id out");
                continue;
            }
            if (enabled != null && !enabled.booleanValue()) {
                dropped.add(o.getKey());
                if (!patch.isEmpty()) {
                    reader.error(path, "a step with enabled: false takes no other changes");
                }
                continue;
            }
            int at = indexOf(steps, o.getKey());
            steps.set(at, MergePatch.apply(steps.get(at), patch));
        }
        for (String id : dropped) {
            // the steps as patched: a kept step whose depends_on was changed no longer needs it
            List<String> needing = new ArrayList<>();
            steps.forEach(s -> {
                String sid = s.path("id").asText();
                boolean depends = false;
                for (JsonNode d : s.path("depends_on")) {
                    depends |= id.equals(d.asText());
                }
                JsonNode c = s.path("condition");
                depends |= ConditionSpec.STEP_RESULT.equals(c.path("type").asText()) && id.equals(c.path("step").asText());
                if (depends && !dropped.contains(sid)) {
                    needing.add(sid);
                }
            });
            if (!needing.isEmpty()) {
                reader.error("$.steps." + id + ".enabled", "step" + (needing.size() == 1 ? " " : "s ")
                        + String.join(", ", needing) + " depend" + (needing.size() == 1 ? "s" : "") + " on '" + id
                        + "': disable " + (needing.size() == 1 ? "it" : "them") + " too, or change their depends_on");
            }
        }
        if (dropped.size() == ids.size()) {
            reader.error("$.steps", "every step is disabled: a pipeline needs at least one");
        }
        List<JsonNode> kept = new ArrayList<>();
        steps.forEach(s -> {
            if (!dropped.contains(s.path("id").asText())) {
                kept.add(s);
            }
        });
        steps.removeAll();
        steps.addAll(kept);
    }

    private static int indexOf(ArrayNode steps, String id) {
        for (int i = 0; i < steps.size(); i++) {
            if (id.equals(steps.get(i).path("id").asText())) {
                return i;
            }
        }
        throw new IllegalStateException("step " + id + " not in the document");
    }
}
