package dev.scanflow.pipeline;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.condition.CompiledCondition;
import dev.scanflow.condition.ConditionCompiler;
import dev.scanflow.condition.ConditionException;
import dev.scanflow.domain.AssetTypes;
import dev.scanflow.domain.DagValidator;
import dev.scanflow.domain.DurationText;
import dev.scanflow.domain.ValidationError;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a template a user sent and normalizes it: every error is collected with its JSON path,
 * so one answer lists all that is wrong. Plain Java: unit-tested without a Quarkus boot.
 */
public final class TemplateValidator {

    public static final Pattern STEP_ID = Pattern.compile("^[a-z][a-z0-9_]{0,62}$");
    private static final Pattern NAME_TOKEN = Pattern.compile("^[a-z0-9][a-z0-9_.-]{0,63}$");
    private static final Pattern TAG = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,62}$");
    private static final Pattern CHECK = Pattern.compile(
            "^\\s*(status|findings_count|error_code|findings_by_severity\\.[a-z_]+|output(?:\\.[A-Za-z_][A-Za-z0-9_]*)+)"
                    + "\\s*(==|!=|>=|<=|>|<)\\s*(\\S.*)$");
    public static final List<String> CONDITION_TYPES = List.of("expression", "asset_type", "step_result", "always", "never");
    public static final int MAX_STEPS = 100;
    static final long MAX_STEP_TIMEOUT = 7 * 86_400L;
    static final String DEFAULT_STEP_TIMEOUT = "1h";
    static final int DEFAULT_MAX_PARALLEL = 5;

    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final ConditionCompiler conditions;

    public TemplateValidator(ConditionCompiler conditions) {
        this.conditions = conditions;
    }

    /** The normalized template, or the errors (never both). */
    public record Result(TemplateDefinition definition, List<ValidationError> errors) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    public Result validate(TemplateInput input) {
        List<ValidationError> errors = new ArrayList<>();
        String name = requiredText(input.name(), "$.name", 128, errors);
        String description = optionalText(input.description(), "$.description", 4_000, errors);
        List<String> tags = tags(input.tags(), errors);
        List<TriggerSpec> triggers = triggers(input, errors);
        SettingsSpec settings = settings(input.settings(), errors);
        List<StepSpec> steps = steps(input.steps(), errors);
        if (!errors.isEmpty()) {
            return new Result(null, errors);
        }
        return new Result(new TemplateDefinition(name, description, tags, triggers, steps, settings), List.of());
    }

    // ---------------------------------------------------------------- steps

    private List<StepSpec> steps(List<StepSpec> input, List<ValidationError> errors) {
        if (input == null || input.isEmpty()) {
            errors.add(ValidationError.at("$.steps", "a pipeline needs at least one step"));
            return List.of();
        }
        if (input.size() > MAX_STEPS) {
            errors.add(ValidationError.at("$.steps", "at most " + MAX_STEPS + " steps are allowed"));
            return List.of();
        }
        List<StepSpec> steps = new ArrayList<>();
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < input.size(); i++) {
            String at = "$.steps[" + i + "]";
            StepSpec step = input.get(i);
            if (step == null) {
                errors.add(ValidationError.at(at, "a step must be an object"));
                continue;
            }
            String id = step.id();
            if (id == null || id.isBlank()) {
                errors.add(ValidationError.at(at + ".id", "is required"));
            } else if (!STEP_ID.matcher(id).matches()) {
                errors.add(ValidationError.at(at + ".id",
                        "'" + id + "' is not a valid step id: use a lowercase letter, then lowercase letters, digits or _ (at most 63)"));
            } else if (firstIndex.containsKey(id)) {
                errors.add(ValidationError.at(at + ".id",
                        "duplicate step id '" + id + "' (first used at $.steps[" + firstIndex.get(id) + "])"));
            } else {
                firstIndex.put(id, i);
            }
            steps.add(step(step, i, errors));
        }
        // graph and conditions only make sense once every id is valid
        if (errors.stream().anyMatch(e -> e.path().startsWith("$.steps") && e.path().endsWith(".id"))) {
            return steps;
        }
        List<DagValidator.Node> nodes = new ArrayList<>();
        Map<String, List<String>> deps = new LinkedHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            nodes.add(new DagValidator.Node(steps.get(i).id(), i, steps.get(i).dependsOn()));
            deps.put(steps.get(i).id(), steps.get(i).dependsOn());
        }
        List<ValidationError> graphErrors = DagValidator.validate(nodes);
        errors.addAll(graphErrors);
        if (graphErrors.isEmpty()) {
            for (int i = 0; i < steps.size(); i++) {
                checkConditionReferences(steps.get(i), i, deps, errors);
            }
        }
        return steps;
    }

    private StepSpec step(StepSpec s, int i, List<ValidationError> errors) {
        String at = "$.steps[" + i + "]";
        String name = s.name() == null ? s.id() : requiredText(s.name(), at + ".name", 128, errors);
        Integer order = s.order() == null ? Integer.valueOf(i + 1) : s.order();
        if (order < 0 || order > 10_000) {
            errors.add(ValidationError.at(at + ".order", "must be between 0 and 10000"));
        }
        if (s.tool() != null && !NAME_TOKEN.matcher(s.tool()).matches()) {
            errors.add(ValidationError.at(at + ".tool",
                    "'" + s.tool() + "' is not a valid tool name (lowercase letters, digits, '.', '_', '-')"));
        }
        List<String> capabilities = new ArrayList<>();
        if (s.capabilities() == null || s.capabilities().isEmpty()) {
            errors.add(ValidationError.at(at + ".capabilities", "at least one capability is required"));
        } else {
            for (int j = 0; j < s.capabilities().size(); j++) {
                String c = s.capabilities().get(j);
                if (c == null || !NAME_TOKEN.matcher(c).matches()) {
                    errors.add(ValidationError.at(at + ".capabilities[" + j + "]",
                            "'" + c + "' is not a valid capability (lowercase letters, digits, '.', '_', '-')"));
                } else if (capabilities.contains(c)) {
                    errors.add(ValidationError.at(at + ".capabilities[" + j + "]", "'" + c + "' is listed twice"));
                } else {
                    capabilities.add(c);
                }
            }
        }
        String timeout = DEFAULT_STEP_TIMEOUT;
        if (s.timeout() != null) {
            timeout = duration(s.timeout(), at + ".timeout", 1, MAX_STEP_TIMEOUT, errors);
        }
        List<String> dependsOn = new ArrayList<>();
        if (s.dependsOn() != null) {
            for (int j = 0; j < s.dependsOn().size(); j++) {
                String d = s.dependsOn().get(j);
                if (d == null || d.isBlank()) {
                    errors.add(ValidationError.at(at + ".depends_on[" + j + "]", "must be a step id"));
                } else if (dependsOn.contains(d)) {
                    errors.add(ValidationError.at(at + ".depends_on[" + j + "]", "'" + d + "' is listed twice"));
                } else {
                    dependsOn.add(d);
                }
            }
        }
        ConditionSpec condition = s.condition() == null ? null : condition(s.condition(), at + ".condition", errors);
        if (s.maxRetries() != null && (s.maxRetries() < 0 || s.maxRetries() > 10)) {
            errors.add(ValidationError.at(at + ".max_retries", "must be between 0 and 10"));
        }
        if (s.retryDelaySeconds() != null && (s.retryDelaySeconds() < 0 || s.retryDelaySeconds() > 3_600)) {
            errors.add(ValidationError.at(at + ".retry_delay_seconds", "must be between 0 and 3600"));
        }
        return new StepSpec(s.id(), name, order, s.tool(), capabilities,
                s.config() == null ? Map.of() : s.config(), timeout, dependsOn, condition,
                s.maxRetries(), s.retryDelaySeconds());
    }

    // ---------------------------------------------------------------- conditions

    private ConditionSpec condition(ConditionSpec c, String at, List<ValidationError> errors) {
        String type = c.type() == null && c.expression() != null ? "expression" : c.type();
        if (type == null) {
            errors.add(ValidationError.at(at + ".type", "is required (one of " + String.join(", ", CONDITION_TYPES) + ")"));
            return c;
        }
        if (!CONDITION_TYPES.contains(type)) {
            errors.add(ValidationError.at(at + ".type",
                    "unknown condition type '" + type + "' (one of " + String.join(", ", CONDITION_TYPES) + ")"));
            return c;
        }
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("expression", c.expression());
        given.put("asset_types", c.assetTypes());
        given.put("step", c.step());
        given.put("check", c.check());
        Set<String> allowed = switch (type) {
            case "expression" -> Set.of("expression");
            case "asset_type" -> Set.of("asset_types");
            case "step_result" -> Set.of("step", "check");
            default -> Set.of();
        };
        given.forEach((field, value) -> {
            if (value != null && !allowed.contains(field)) {
                errors.add(ValidationError.at(at + "." + field, "is not allowed for condition type '" + type + "'"));
            }
        });
        ConditionSpec normalized = switch (type) {
            case "expression" -> {
                if (c.expression() == null || c.expression().isBlank()) {
                    errors.add(ValidationError.at(at + ".expression", "is required for condition type 'expression'"));
                }
                yield new ConditionSpec(type, c.expression(), null, null, null);
            }
            case "asset_type" -> {
                if (c.assetTypes() == null || c.assetTypes().isEmpty()) {
                    errors.add(ValidationError.at(at + ".asset_types", "list at least one asset type"));
                } else {
                    for (int j = 0; j < c.assetTypes().size(); j++) {
                        if (!AssetTypes.isKnown(c.assetTypes().get(j))) {
                            errors.add(ValidationError.at(at + ".asset_types[" + j + "]",
                                    "unknown asset type '" + c.assetTypes().get(j) + "' (known: "
                                            + String.join(", ", AssetTypes.ALL) + ")"));
                        }
                    }
                }
                yield new ConditionSpec(type, null, c.assetTypes(), null, null);
            }
            case "step_result" -> {
                if (c.step() == null || c.step().isBlank()) {
                    errors.add(ValidationError.at(at + ".step", "is required for condition type 'step_result'"));
                }
                String check = c.check() == null ? "status == 'completed'" : c.check();
                yield new ConditionSpec(type, null, null, c.step(), check);
            }
            default -> new ConditionSpec(type, null, null, null, null);
        };
        if (errors.stream().noneMatch(e -> e.path().startsWith(at))) {
            String expressionPath = type.equals("step_result") ? at + ".check" : at + ".expression";
            try {
                conditions.compile(toCel(normalized));
            } catch (ConditionException e) {
                errors.add(ValidationError.at(expressionPath, "invalid condition: " + e.getMessage()));
            } catch (IllegalArgumentException e) {
                errors.add(ValidationError.at(expressionPath, e.getMessage()));
            }
        }
        return normalized;
    }

    /**
     * The CEL text of a normalized condition; shorthand types are translated, so every
     * condition is checked and evaluated the same way.
     */
    public static String toCel(ConditionSpec c) {
        return switch (c.type()) {
            case "expression" -> c.expression();
            case "asset_type" -> "asset.type in [" + String.join(", ",
                    c.assetTypes().stream().map(t -> "'" + t + "'").toList()) + "]";
            case "step_result" -> {
                Matcher m = CHECK.matcher(c.check());
                if (!m.matches()) {
                    throw new IllegalArgumentException("check '" + c.check()
                            + "' must read '<field> <operator> <value>' with a field among status, findings_count,"
                            + " error_code, findings_by_severity.<severity>, output.<key>");
                }
                yield "steps." + c.step() + "." + m.group(1) + " " + m.group(2) + " " + m.group(3).trim();
            }
            case "always" -> "true";
            case "never" -> "false";
            default -> throw new IllegalArgumentException("unknown condition type " + c.type());
        };
    }

    private void checkConditionReferences(StepSpec step, int i, Map<String, List<String>> deps,
            List<ValidationError> errors) {
        if (step.condition() == null || step.condition().type() == null) {
            return;
        }
        String at = "$.steps[" + i + "].condition";
        Set<String> upstream = DagValidator.upstreamOf(step.id(), deps);
        Set<String> referenced = new LinkedHashSet<>();
        String path;
        if ("step_result".equals(step.condition().type())) {
            referenced.add(step.condition().step());
            path = at + ".step";
        } else if ("expression".equals(step.condition().type())) {
            try {
                CompiledCondition compiled = conditions.compile(step.condition().expression());
                referenced.addAll(compiled.referencedSteps());
            } catch (ConditionException e) {
                return; // already reported
            }
            path = at + ".expression";
        } else {
            return;
        }
        for (String ref : referenced) {
            if (ref == null) {
                continue;
            }
            if (!deps.containsKey(ref)) {
                errors.add(ValidationError.at(path, "condition reads unknown step '" + ref + "'"));
            } else if (!upstream.contains(ref)) {
                errors.add(ValidationError.at(path, "condition reads step '" + ref + "', which is not upstream of '"
                        + step.id() + "': add it to depends_on (directly or through another step)"));
            }
        }
    }

    // ---------------------------------------------------------------- triggers

    private List<TriggerSpec> triggers(TemplateInput input, List<ValidationError> errors) {
        if (input.trigger() != null && input.triggers() != null) {
            errors.add(ValidationError.at("$.trigger", "give either 'trigger' or 'triggers', not both"));
            return List.of();
        }
        JsonNode raw = input.triggers() != null ? input.triggers() : input.trigger();
        String base = input.triggers() != null ? "$.triggers" : "$.trigger";
        if (raw == null || raw.isNull()) {
            return List.of(TriggerSpec.manual());
        }
        List<TriggerSpec> out = new ArrayList<>();
        if (raw.isArray()) {
            for (int i = 0; i < raw.size(); i++) {
                TriggerSpec t = trigger(raw.get(i), base + "[" + i + "]", errors);
                if (t != null) {
                    out.add(t);
                }
            }
        } else {
            TriggerSpec t = trigger(raw, base, errors);
            if (t != null) {
                out.add(t);
            }
        }
        if (out.stream().filter(t -> t.type().equals("manual")).count() > 1) {
            errors.add(ValidationError.at(base, "'manual' is listed more than once"));
        }
        return out;
    }

    private TriggerSpec trigger(JsonNode node, String at, List<ValidationError> errors) {
        if (node.isTextual()) {
            return switch (node.asText()) {
                case "manual" -> TriggerSpec.manual();
                case "on_asset_discovery", "asset_discovery" -> new TriggerSpec("asset_discovery", null, null, null, null, null);
                default -> {
                    errors.add(ValidationError.at(at, "unknown trigger '" + node.asText()
                            + "' (use manual, on_asset_discovery, {schedule: <cron>}, {webhook: <event>} or an object with type)"));
                    yield null;
                }
            };
        }
        if (!node.isObject()) {
            errors.add(ValidationError.at(at, "a trigger is a string or an object"));
            return null;
        }
        // short forms: {schedule: "0 2 * * *"}, {webhook: push}, {on_asset_discovery: {...}}
        if (!node.has("type")) {
            if (node.has("schedule")) {
                return schedule(node, at, errors, "schedule", Set.of("schedule", "timezone", "targets"));
            }
            if (node.has("webhook")) {
                return webhook(node, at, errors, "webhook", Set.of("webhook"));
            }
            errors.add(ValidationError.at(at + ".type", "is required (manual, schedule, webhook or asset_discovery)"));
            return null;
        }
        String type = node.get("type").asText();
        return switch (type) {
            case "manual" -> only(node, at, Set.of("type"), errors) ? TriggerSpec.manual() : null;
            case "schedule" -> schedule(node, at, errors, "cron", Set.of("type", "cron", "timezone", "targets"));
            case "webhook" -> webhook(node, at, errors, "events", Set.of("type", "events"));
            case "asset_discovery", "on_asset_discovery" -> {
                if (!only(node, at, Set.of("type", "asset_types"), errors)) {
                    yield null;
                }
                List<String> types = stringList(node.get("asset_types"), at + ".asset_types", errors);
                if (types != null) {
                    for (int j = 0; j < types.size(); j++) {
                        if (!AssetTypes.isKnown(types.get(j))) {
                            errors.add(ValidationError.at(at + ".asset_types[" + j + "]", "unknown asset type '" + types.get(j) + "'"));
                        }
                    }
                }
                yield new TriggerSpec("asset_discovery", null, null, null, null, types);
            }
            default -> {
                errors.add(ValidationError.at(at + ".type", "unknown trigger type '" + type
                        + "' (manual, schedule, webhook or asset_discovery)"));
                yield null;
            }
        };
    }

    private TriggerSpec schedule(JsonNode node, String at, List<ValidationError> errors, String cronField,
            Set<String> allowed) {
        if (!only(node, at, allowed, errors)) {
            return null;
        }
        JsonNode cronNode = node.get(cronField);
        String cron = null;
        if (cronNode == null || !cronNode.isTextual() || cronNode.asText().isBlank()) {
            errors.add(ValidationError.at(at + "." + cronField, "a 5-field cron expression is required, e.g. \"0 2 * * *\""));
        } else {
            cron = cronNode.asText().trim().replaceAll("\\s+", " ");
            try {
                CRON.parse(cron).validate();
            } catch (IllegalArgumentException e) {
                errors.add(ValidationError.at(at + "." + cronField, "invalid cron expression '" + cron
                        + "': " + e.getMessage() + " (5 fields: minute hour day-of-month month day-of-week)"));
            }
        }
        String zone = "UTC";
        JsonNode zoneNode = node.get("timezone");
        if (zoneNode != null && !zoneNode.isNull()) {
            if (!zoneNode.isTextual()) {
                errors.add(ValidationError.at(at + ".timezone", "must be a time zone name such as Europe/Paris"));
            } else {
                try {
                    zone = ZoneId.of(zoneNode.asText()).getId();
                } catch (DateTimeException e) {
                    errors.add(ValidationError.at(at + ".timezone", "unknown time zone '" + zoneNode.asText()
                            + "' (use an IANA name such as Europe/Paris or UTC)"));
                }
            }
        }
        TriggerSpec.TargetsSpec targets = targets(node.get("targets"), at + ".targets", errors);
        return new TriggerSpec("schedule", cron, zone, targets, null, null);
    }

    private TriggerSpec.TargetsSpec targets(JsonNode node, String at, List<ValidationError> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            errors.add(ValidationError.at(at, "must be an object with asset_ids, asset_types, tags or criticality"));
            return null;
        }
        if (!only(node, at, Set.of("asset_ids", "asset_types", "tags", "criticality"), errors)) {
            return null;
        }
        List<String> ids = stringList(node.get("asset_ids"), at + ".asset_ids", errors);
        if (ids != null) {
            for (int j = 0; j < ids.size(); j++) {
                try {
                    java.util.UUID.fromString(ids.get(j));
                } catch (IllegalArgumentException e) {
                    errors.add(ValidationError.at(at + ".asset_ids[" + j + "]", "'" + ids.get(j) + "' is not a UUID"));
                }
            }
        }
        List<String> types = stringList(node.get("asset_types"), at + ".asset_types", errors);
        if (types != null) {
            for (int j = 0; j < types.size(); j++) {
                if (!AssetTypes.isKnown(types.get(j))) {
                    errors.add(ValidationError.at(at + ".asset_types[" + j + "]", "unknown asset type '" + types.get(j) + "'"));
                }
            }
        }
        List<String> tags = stringList(node.get("tags"), at + ".tags", errors);
        List<String> crit = stringList(node.get("criticality"), at + ".criticality", errors);
        if (crit != null) {
            for (int j = 0; j < crit.size(); j++) {
                if (!AssetTypes.CRITICALITIES.contains(crit.get(j))) {
                    errors.add(ValidationError.at(at + ".criticality[" + j + "]", "must be one of critical, high, medium, low"));
                }
            }
        }
        return new TriggerSpec.TargetsSpec(ids, types, tags, crit);
    }

    private TriggerSpec webhook(JsonNode node, String at, List<ValidationError> errors, String field, Set<String> allowed) {
        if (!only(node, at, allowed, errors)) {
            return null;
        }
        JsonNode events = node.get(field);
        List<String> list;
        if (events != null && events.isTextual()) {
            list = List.of(events.asText());
        } else {
            list = stringList(events, at + "." + field, errors);
        }
        if (list == null || list.isEmpty()) {
            errors.add(ValidationError.at(at + "." + field, "name at least one webhook event, e.g. push"));
            return null;
        }
        for (int j = 0; j < list.size(); j++) {
            if (!NAME_TOKEN.matcher(list.get(j)).matches()) {
                errors.add(ValidationError.at(at + "." + field, "'" + list.get(j) + "' is not a valid event name"));
            }
        }
        return new TriggerSpec("webhook", null, null, null, list, null);
    }

    private static boolean only(JsonNode node, String at, Set<String> allowed, List<ValidationError> errors) {
        boolean ok = true;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowed.contains(field)) {
                errors.add(ValidationError.at(at + "." + field, "unknown field (allowed here: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")"));
                ok = false;
            }
        }
        return ok;
    }

    private static List<String> stringList(JsonNode node, String at, List<ValidationError> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            errors.add(ValidationError.at(at, "must be a list of strings"));
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                errors.add(ValidationError.at(at + "[" + i + "]", "must be a string"));
            } else {
                out.add(node.get(i).asText());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- settings, names

    private SettingsSpec settings(SettingsSpec s, List<ValidationError> errors) {
        if (s == null) {
            return new SettingsSpec(DEFAULT_MAX_PARALLEL, false, 0, null, null);
        }
        int parallel = s.maxParallelSteps() == null ? DEFAULT_MAX_PARALLEL : s.maxParallelSteps();
        if (parallel < 1 || parallel > 100) {
            errors.add(ValidationError.at("$.settings.max_parallel_steps", "must be between 1 and 100"));
        }
        int retries = s.retryFailedSteps() == null ? 0 : s.retryFailedSteps();
        if (retries < 0 || retries > 10) {
            errors.add(ValidationError.at("$.settings.retry_failed_steps", "must be between 0 and 10"));
        }
        String timeout = s.timeout() == null ? null
                : duration(s.timeout(), "$.settings.timeout", 60, 30 * 86_400L, errors);
        SettingsSpec.NotificationSpec notification = s.notification();
        if (notification != null && notification.channels() != null) {
            for (int j = 0; j < notification.channels().size(); j++) {
                String ch = notification.channels().get(j);
                if (ch == null || !NAME_TOKEN.matcher(ch).matches()) {
                    errors.add(ValidationError.at("$.settings.notification.channels[" + j + "]",
                            "'" + ch + "' is not a valid channel name"));
                }
            }
        }
        return new SettingsSpec(parallel, s.failFast() != null && s.failFast(), retries, timeout, notification);
    }

    private static String duration(String text, String at, long min, long max, List<ValidationError> errors) {
        var seconds = DurationText.parseSeconds(text);
        if (seconds.isEmpty()) {
            errors.add(ValidationError.at(at, "'" + text + "' is not a duration (examples: 90s, 30m, 2h, 1h30m)"));
            return text;
        }
        if (seconds.get() < min || seconds.get() > max) {
            errors.add(ValidationError.at(at, "must be between " + DurationText.format(min) + " and " + DurationText.format(max)));
            return text;
        }
        return DurationText.format(seconds.get());
    }

    private static List<String> tags(List<String> tags, List<ValidationError> errors) {
        if (tags == null) {
            return List.of();
        }
        if (tags.size() > 50) {
            errors.add(ValidationError.at("$.tags", "at most 50 tags"));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < tags.size(); i++) {
            String t = tags.get(i);
            if (t == null || !TAG.matcher(t).matches()) {
                errors.add(ValidationError.at("$.tags[" + i + "]", "'" + t + "' is not a valid tag (letters, digits, _.:/-, at most 63)"));
            } else if (!out.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }

    static String requiredText(String value, String at, int max, List<ValidationError> errors) {
        if (value == null || value.isBlank()) {
            errors.add(ValidationError.at(at, "is required and must not be empty"));
            return value;
        }
        return optionalText(value, at, max, errors);
    }

    static String optionalText(String value, String at, int max, List<ValidationError> errors) {
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        if (trimmed.length() > max) {
            errors.add(ValidationError.at(at, "must be at most " + max + " characters"));
        }
        if (trimmed.chars().anyMatch(ch -> ch < 0x20 && ch != '\n' && ch != '\t')) {
            errors.add(ValidationError.at(at, "must not contain control characters"));
        }
        return trimmed;
    }
}
