package dev.scanflow.pipeline.definition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.common.TreeReader;
import dev.scanflow.domain.DagValidator;
import dev.scanflow.domain.StepAuth;
import dev.scanflow.domain.TargetBudget;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code steps} of a template: each step's fields (defaults filled in, the timeout as
 * normalized duration text), then what needs all of them: unique ids, the dependency graph
 * (unknown steps first, then cycles) and conditions that read only upstream steps.
 */
final class StepReader {

    static final Pattern STEP_ID = Pattern.compile("^[a-z][a-z0-9_]{0,62}$");
    static final Pattern NAME_TOKEN = dev.scanflow.common.NameRules.NAME_TOKEN;
    static final int MAX_STEPS = 100;
    static final long MAX_STEP_TIMEOUT = 7 * 86_400L;
    static final String DEFAULT_STEP_TIMEOUT = "1h";

    private final ConditionReader conditions;

    StepReader(ConditionReader conditions) {
        this.conditions = conditions;
    }

    List<StepSpec> readAll(JsonNode node, String at, TreeReader reader) {
        if (node == null) {
            reader.error(at, "a pipeline needs at least one step");
            return List.of();
        }
        List<JsonNode> items = reader.list(node, at);
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty()) {
            reader.error(at, "a pipeline needs at least one step");
            return List.of();
        }
        if (items.size() > MAX_STEPS) {
            reader.error(at, "at most " + MAX_STEPS + " steps are allowed");
            return List.of();
        }
        List<StepSpec> steps = new ArrayList<>();
        Map<String, Integer> firstIndex = new HashMap<>();
        // ids written but not usable (invalid or duplicate): reported at the id, not again as unknown
        Set<String> unusable = new java.util.HashSet<>();
        Map<Integer, StepSpec> usable = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String stepAt = at + "[" + i + "]";
            StepSpec step = read(items.get(i), stepAt, i, reader);
            if (step == null) {
                continue;
            }
            steps.add(step);
            if (step.id() == null || reader.hasErrorsUnder(stepAt + ".id")) {
                if (step.id() != null) {
                    unusable.add(step.id());
                }
            } else if (firstIndex.containsKey(step.id())) {
                reader.error(stepAt + ".id", "duplicate step id '" + step.id() + "' (first used at " + at + "["
                        + firstIndex.get(step.id()) + "])");
            } else {
                firstIndex.put(step.id(), i);
                usable.put(i, step);
            }
        }
        // the graph and the conditions' references are checked among the steps whose ids are
        // usable, so that their errors come in the same answer as the fields' errors
        checkGraph(items, usable, unusable, reader);
        return steps;
    }

    /** One step; null when it is not an object. {@code index} gives the default order. */
    StepSpec read(JsonNode node, String at, int index, TreeReader reader) {
        TreeReader.Fields f = reader.object(node, at);
        if (f == null) {
            return null;
        }
        String id = f.text("id");
        if (id == null && !reader.hasErrorsUnder(f.path("id"))) {
            reader.error(f.path("id"), "is required");
        } else if (id != null && !STEP_ID.matcher(id).matches()) {
            reader.error(f.path("id"), "'" + id + "' is not a valid step id: use a lowercase letter, then lowercase"
                    + " letters, digits or _ (at most 63)");
        }
        String name = Texts.optional(f.text("name"), f.path("name"), 128, reader);
        if (name == null) {
            name = id;
        } else if (name.isBlank()) {
            reader.error(f.path("name"), "must not be empty (leave it out to use the id)");
        }
        Integer order = f.integer("order");
        if (order == null) {
            order = index + 1;
        } else if (order < 0 || order > 10_000) {
            reader.error(f.path("order"), "must be between 0 and 10000");
        }
        String tool = f.text("tool");
        if (tool != null && !NAME_TOKEN.matcher(tool).matches()) {
            reader.error(f.path("tool"), "'" + tool + "' is not a valid tool name (lowercase letters, digits, '.', '_', '-')");
        }
        List<String> capabilities = capabilities(f, reader);
        Map<String, Object> config = f.freeObject("config");
        auth(config, f.path("config"), reader);
        rateLimit(config, f.path("config"), reader);
        String timeout = DEFAULT_STEP_TIMEOUT;
        JsonNode timeoutNode = f.raw("timeout");
        if (timeoutNode != null) {
            if (!timeoutNode.isTextual()) {
                reader.error(f.path("timeout"), "wrong type: expected a string, a duration such as 30m or 1h30m");
            } else {
                timeout = Texts.duration(timeoutNode.textValue(), f.path("timeout"), 1, MAX_STEP_TIMEOUT, reader);
            }
        }
        List<String> dependsOn = dependsOn(f, reader);
        JsonNode conditionNode = f.raw("condition");
        ConditionSpec condition = conditionNode == null ? null
                : conditions.read(conditionNode, f.path("condition"), reader);
        Integer maxRetries = f.integer("max_retries");
        if (maxRetries != null && (maxRetries < 0 || maxRetries > 10)) {
            reader.error(f.path("max_retries"), "must be between 0 and 10");
        }
        Integer retryDelay = f.integer("retry_delay_seconds");
        if (retryDelay != null && (retryDelay < 0 || retryDelay > 3_600)) {
            reader.error(f.path("retry_delay_seconds"), "must be between 0 and 3600");
        }
        f.done();
        return new StepSpec(id, name, order, tool, capabilities, config == null ? Map.of() : config, timeout,
                dependsOn, condition, maxRetries, retryDelay);
    }

    /** The highest {@code config.rate_limit}, requests per second. */
    static final int MAX_RATE_LIMIT = 100_000;

    /**
     * {@code config.rate_limit} (the design document's nuclei step), when given, is the most
     * requests per second the step may send: a whole number from 1; a target's budget may lower it.
     */
    private static void rateLimit(Map<String, Object> config, String configAt, TreeReader reader) {
        if (config == null || !config.containsKey(TargetBudget.RATE_KEY)) {
            return;
        }
        Object rate = config.get(TargetBudget.RATE_KEY);
        boolean whole = rate instanceof Integer || rate instanceof Long;
        if (!whole || ((Number) rate).longValue() < 1 || ((Number) rate).longValue() > MAX_RATE_LIMIT) {
            reader.error(configAt + "." + TargetBudget.RATE_KEY,
                    "must be a whole number of requests per second from 1 to " + MAX_RATE_LIMIT);
        }
    }

    /**
     * {@code config.auth}, when given, is {@code {credential: <name>}}; whether the credential
     * exists is checked with the tenant's credentials (PipelineBodies). A secret never belongs in
     * a template, so nothing else is accepted there.
     */
    private static void auth(Map<String, Object> config, String configAt, TreeReader reader) {
        if (config == null || !config.containsKey(StepAuth.AUTH)) {
            return;
        }
        String at = configAt + "." + StepAuth.AUTH;
        if (!(config.get(StepAuth.AUTH) instanceof Map<?, ?> auth)) {
            reader.error(at, "wrong type: expected an object such as {credential: staging-login}, naming a scan "
                    + "credential (POST /api/v1/credentials)");
            return;
        }
        for (Object key : auth.keySet()) {
            if (!StepAuth.CREDENTIAL.equals(key)) {
                reader.error(at + "." + key, "unknown field (known fields: credential): a step names a scan "
                        + "credential; its secret is kept by Scanflow (POST /api/v1/credentials)");
            }
        }
        Object name = auth.get(StepAuth.CREDENTIAL);
        if (name == null) {
            reader.error(at + "." + StepAuth.CREDENTIAL, "is required: the name of one of your scan credentials");
        } else if (!(name instanceof String text) || !NAME_TOKEN.matcher(text).matches()) {
            reader.error(at + "." + StepAuth.CREDENTIAL, "a credential name is " + dev.scanflow.common.NameRules.NAME_TOKEN_TEXT);
        }
    }

    private static List<String> capabilities(TreeReader.Fields f, TreeReader reader) {
        List<String> given = f.strings("capabilities");
        List<String> capabilities = new ArrayList<>();
        if (given == null) {
            if (!reader.hasErrorsUnder(f.path("capabilities"))) {
                reader.error(f.path("capabilities"), "at least one capability is required");
            }
            return capabilities;
        }
        if (given.isEmpty()) {
            reader.error(f.path("capabilities"), "at least one capability is required");
        }
        for (int j = 0; j < given.size(); j++) {
            String c = given.get(j);
            if (!NAME_TOKEN.matcher(c).matches()) {
                reader.error(f.path("capabilities") + "[" + j + "]",
                        "'" + c + "' is not a valid capability (lowercase letters, digits, '.', '_', '-')");
            } else if (capabilities.contains(c)) {
                reader.error(f.path("capabilities") + "[" + j + "]", "'" + c + "' is listed twice");
            } else {
                capabilities.add(c);
            }
        }
        return capabilities;
    }

    private static List<String> dependsOn(TreeReader.Fields f, TreeReader reader) {
        List<String> given = f.strings("depends_on");
        List<String> dependsOn = new ArrayList<>();
        if (given == null) {
            return dependsOn;
        }
        for (int j = 0; j < given.size(); j++) {
            String d = given.get(j);
            if (d.isBlank()) {
                reader.error(f.path("depends_on") + "[" + j + "]", "must be a step id");
            } else if (dependsOn.contains(d)) {
                reader.error(f.path("depends_on") + "[" + j + "]", "'" + d + "' is listed twice");
            } else {
                dependsOn.add(d);
            }
        }
        return dependsOn;
    }

    private void checkGraph(List<JsonNode> items, Map<Integer, StepSpec> usable, Set<String> unusable,
            TreeReader reader) {
        List<DagValidator.Node> nodes = new ArrayList<>();
        Map<String, List<String>> deps = new LinkedHashMap<>();
        usable.forEach((i, step) -> {
            nodes.add(new DagValidator.Node(step.id(), i, step.dependsOn()));
            deps.put(step.id(), step.dependsOn());
        });
        reader.errors().addAll(DagValidator.validate(nodes, unusable));
        for (var entry : usable.entrySet()) {
            int i = entry.getKey();
            StepSpec step = entry.getValue();
            ConditionSpec c = step.condition();
            String at = "$.steps[" + i + "].condition";
            if (c == null || reader.hasErrorsUnder(at)) {
                continue;
            }
            JsonNode raw = items.get(i).get("condition");
            // the error goes where the user wrote the expression
            String path = ConditionSpec.STEP_RESULT.equals(c.type()) ? at + ".step"
                    : raw.isTextual() ? at : raw.has("expression") ? at + ".expression" : at + ".value";
            Set<String> upstream = DagValidator.upstreamOf(step.id(), deps);
            for (String ref : conditions.referencedSteps(c)) {
                if (unusable.contains(ref)) {
                    continue; // its id is reported already
                }
                if (!deps.containsKey(ref)) {
                    reader.error(path, "condition reads unknown step '" + ref + "'");
                } else if (!upstream.contains(ref)) {
                    reader.error(path, "condition reads step '" + ref + "', which is not upstream of '" + step.id()
                            + "': add it to depends_on (directly or through another step)");
                }
            }
        }
    }
}
