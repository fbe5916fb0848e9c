package dev.scanflow.pipeline.definition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.common.CronCalendar;
import dev.scanflow.common.TreeReader;
import dev.scanflow.condition.ConditionCompiler;
import dev.scanflow.condition.ConditionException;
import dev.scanflow.domain.AssetTypes;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads a template's triggers in every form the design document shows: the strings
 * {@code manual} and {@code on_asset_discovery}, the short forms {@code {schedule: "<cron>"}}
 * and {@code {webhook: push}}, and the long form {@code {type: schedule, cron, timezone,
 * targets: [...]}} of its "Scheduling" section, with Scanflow's additions (a {@code name},
 * {@code catchup}, {@code catchup_window} and {@code overlap} for schedules, a CEL
 * {@code filter} over webhook payloads, an {@code asset_filter} for discovery). Crons are
 * 5-field Unix crons, zones IANA names, filters CEL. Longer than most classes: four trigger
 * types in a short and a long form share the name, overlap and unknown-field checks here, and a
 * reader per type would repeat them.
 */
final class TriggerReader {

    static final Pattern NAME = dev.scanflow.common.NameRules.NAME_TOKEN;
    static final String DEFAULT_CATCHUP = "latest";
    static final String DEFAULT_CATCHUP_WINDOW = "1h";
    static final String SCHEDULE_OVERLAP = "skip";
    static final String WEBHOOK_OVERLAP = "allow";

    private static final Pattern EVENT = dev.scanflow.common.NameRules.NAME_TOKEN;
    private static final String FORMS = "manual, on_asset_discovery, {schedule: <cron>}, {webhook: <event>}"
            + " or an object with a type";

    private final ConditionCompiler assetFilters;
    private final ConditionCompiler payloadFilters;

    TriggerReader(ConditionCompiler assetFilters, ConditionCompiler payloadFilters) {
        this.assetFilters = assetFilters;
        this.payloadFilters = payloadFilters;
    }

    /** {@code trigger} (the document's key) or {@code triggers}: one trigger or a list; default [manual]. */
    List<TriggerSpec> read(TreeReader.Fields template, TreeReader reader) {
        String key = template.spelling("triggers", "trigger");
        JsonNode raw = template.raw(key);
        if (raw == null) {
            return List.of(TriggerSpec.manual());
        }
        String at = template.path(key);
        List<TriggerSpec> out = new ArrayList<>();
        if (raw.isArray()) {
            for (int i = 0; i < raw.size(); i++) {
                TriggerSpec t = trigger(raw.get(i), at + "[" + i + "]", reader);
                if (t != null) {
                    out.add(t);
                }
            }
        } else {
            TriggerSpec t = trigger(raw, at, reader);
            if (t != null) {
                out.add(t);
            }
        }
        if (out.stream().filter(t -> t.type().equals(TriggerSpec.MANUAL)).count() > 1) {
            reader.error(at, "'manual' is listed more than once");
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (TriggerSpec t : out) {
            if (t.name() != null && !names.add(t.name())) {
                reader.error(at, "two triggers are named '" + t.name() + "'");
            }
        }
        return out;
    }

    private TriggerSpec trigger(JsonNode node, String at, TreeReader reader) {
        if (node.isTextual()) {
            return switch (node.textValue()) {
                case "manual" -> TriggerSpec.manual();
                case "on_asset_discovery", "asset_discovery" -> TriggerSpec.discovery(null, null, null);
                default -> {
                    reader.error(at, "unknown trigger '" + node.textValue() + "' (use " + FORMS + ")");
                    yield null;
                }
            };
        }
        TreeReader.Fields f = reader.object(node, at);
        if (f == null) {
            return null;
        }
        String type = f.text("type");
        if (type == null && !f.present("type")) {
            if (f.present("schedule")) {
                return schedule(f, "schedule", reader);
            }
            if (f.present("webhook")) {
                return webhook(f, "webhook", reader);
            }
            if (f.present("on_asset_discovery")) {
                reader.error(f.path("on_asset_discovery"), "write on_asset_discovery as a string, or use "
                        + "{type: asset_discovery, asset_types: [...]}");
                return null;
            }
            reader.error(f.path("type"), "is required (manual, schedule, webhook or asset_discovery; or use " + FORMS + ")");
            return null;
        }
        if (type == null) {
            return null; // wrong type, reported
        }
        return switch (type) {
            case TriggerSpec.MANUAL -> {
                f.done();
                yield TriggerSpec.manual();
            }
            case TriggerSpec.SCHEDULE -> schedule(f, "cron", reader);
            case TriggerSpec.WEBHOOK -> webhook(f, f.spelling("events", "event", "webhook"), reader);
            case TriggerSpec.ASSET_DISCOVERY, "on_asset_discovery" -> {
                String name = name(f, reader);
                List<String> types = f.strings("asset_types");
                String filter = f.text("asset_filter");
                f.done();
                if (types != null) {
                    for (int j = 0; j < types.size(); j++) {
                        if (!AssetTypes.isKnown(types.get(j))) {
                            reader.error(f.path("asset_types") + "[" + j + "]", "unknown asset type '" + types.get(j)
                                    + "' (known: " + String.join(", ", AssetTypes.ALL) + ")");
                        }
                    }
                }
                compile(assetFilters, filter, f.path("asset_filter"), "invalid asset filter", reader);
                yield TriggerSpec.discovery(name, types, filter);
            }
            default -> {
                reader.error(f.path("type"), "unknown trigger type '" + type
                        + "' (manual, schedule, webhook or asset_discovery)");
                yield null;
            }
        };
    }

    private static String name(TreeReader.Fields f, TreeReader reader) {
        String name = f.text("name");
        if (name != null && !NAME.matcher(name).matches()) {
            reader.error(f.path("name"), "'" + name + "' is not a valid trigger name (lowercase letters, digits, '.', '_', '-')");
        } else if (name != null && name.chars().allMatch(Character::isDigit)) {
            // a number addresses an unnamed trigger by its position in the schedules API
            reader.error(f.path("name"), "'" + name + "' is not a valid trigger name: it needs a letter or one of '.', '_', '-'");
        }
        return name;
    }

    private static String choice(TreeReader.Fields f, String field, List<String> allowed, String fallback,
            TreeReader reader) {
        String value = f.text(field);
        if (value == null) {
            return fallback;
        }
        if (!allowed.contains(value)) {
            reader.error(f.path(field), "'" + value + "' is not one of " + String.join(", ", allowed));
        }
        return value;
    }

    private static void compile(ConditionCompiler compiler, String expression, String at, String what,
            TreeReader reader) {
        if (expression == null) {
            return;
        }
        try {
            compiler.compile(expression);
        } catch (ConditionException e) {
            reader.error(at, what + ": " + e.getMessage());
        }
    }

    private TriggerSpec schedule(TreeReader.Fields f, String cronField, TreeReader reader) {
        f.allow("type");
        String name = name(f, reader);
        String catchup = choice(f, "catchup", TriggerSpec.CATCHUP, DEFAULT_CATCHUP, reader);
        String window = DEFAULT_CATCHUP_WINDOW;
        String windowText = f.text("catchup_window");
        if (windowText != null) {
            window = Texts.duration(windowText, f.path("catchup_window"), 60, 7 * 86_400L, reader);
        }
        String overlap = choice(f, "overlap", TriggerSpec.OVERLAP, SCHEDULE_OVERLAP, reader);
        String cron = f.text(cronField);
        if (cron == null || cron.isBlank()) {
            if (!reader.hasErrorsUnder(f.path(cronField))) {
                reader.error(f.path(cronField), "a 5-field cron expression is required, e.g. \"0 2 * * *\"");
            }
        } else {
            cron = CronCalendar.normalize(cron);
            String problem = CronCalendar.problem(cron);
            if (problem != null) {
                reader.error(f.path(cronField), problem);
            }
        }
        String zone = "UTC";
        String zoneText = f.text("timezone");
        if (zoneText != null) {
            String problem = CronCalendar.zoneProblem(zoneText);
            if (problem != null) {
                reader.error(f.path("timezone"), problem);
            } else {
                zone = ZoneId.of(zoneText).getId();
            }
        }
        List<TargetSelector> targets = targets(f.raw("targets"), f.path("targets"), reader);
        Boolean paused = f.bool("paused");
        f.done();
        return TriggerSpec.schedule(name, cron, zone, targets, catchup, window, overlap,
                Boolean.TRUE.equals(paused) ? Boolean.TRUE : null);
    }

    private List<TargetSelector> targets(JsonNode node, String at, TreeReader reader) {
        if (node == null) {
            return null;
        }
        List<TargetSelector> out = new ArrayList<>();
        if (node.isObject()) {
            // one selector written without the list around it
            TargetSelector s = selector(node, at, reader);
            if (s != null) {
                out.add(s);
            }
            return out;
        }
        List<JsonNode> items = reader.list(node, at);
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            reader.error(at, "list at least one selector, or leave targets out");
        }
        for (int i = 0; i < items.size(); i++) {
            TargetSelector s = selector(items.get(i), at + "[" + i + "]", reader);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    private TargetSelector selector(JsonNode node, String at, TreeReader reader) {
        TreeReader.Fields f = reader.object(node, at);
        if (f == null) {
            return null;
        }
        String filter = f.text("asset_filter");
        compile(assetFilters, filter, f.path("asset_filter"), "invalid asset filter", reader);
        String typeField = f.spelling("asset_type", "asset_types");
        Object type = f.stringOrStrings(typeField);
        checkEach(type, f.path(typeField), AssetTypes.ALL, "asset type", reader);
        Object criticality = f.stringOrStrings("criticality");
        checkEach(criticality, f.path("criticality"), AssetTypes.CRITICALITIES, "criticality", reader);
        List<String> tags = f.strings("tags");
        String idField = f.spelling("asset_id", "asset_ids");
        Object ids = f.stringOrStrings(idField);
        List<String> idList = ids == null ? List.of() : Values.strings(ids);
        for (int j = 0; j < idList.size(); j++) {
            try {
                UUID.fromString(idList.get(j));
            } catch (IllegalArgumentException e) {
                reader.error(ids instanceof String ? f.path(idField) : f.path(idField) + "[" + j + "]",
                        "'" + idList.get(j) + "' is not an asset id (a UUID)");
            }
        }
        f.done();
        if (filter == null && type == null && criticality == null && tags == null && ids == null
                && !reader.hasErrorsUnder(at)) {
            reader.error(at, "a selector needs at least one of asset_filter, asset_type, criticality, tags, asset_id");
        }
        return new TargetSelector(filter, type, criticality, tags, ids);
    }

    private static void checkEach(Object value, String at, List<String> known, String what, TreeReader reader) {
        if (value == null) {
            return;
        }
        List<String> values = Values.strings(value);
        if (values.isEmpty()) {
            reader.error(at, "name at least one " + what);
        }
        for (int j = 0; j < values.size(); j++) {
            if (!known.contains(values.get(j))) {
                reader.error(value instanceof String ? at : at + "[" + j + "]", "unknown " + what + " '"
                        + values.get(j) + "' (known: " + String.join(", ", known) + ")");
            }
        }
    }

    private TriggerSpec webhook(TreeReader.Fields f, String field, TreeReader reader) {
        f.allow("type");
        String name = name(f, reader);
        Object events = f.stringOrStrings(field);
        String filter = f.text("filter");
        compile(payloadFilters, filter, f.path("filter"), "invalid filter", reader);
        String overlap = choice(f, "overlap", TriggerSpec.OVERLAP, WEBHOOK_OVERLAP, reader);
        f.done();
        List<String> list = events == null ? List.of() : Values.strings(events);
        if (list.isEmpty()) {
            if (!reader.hasErrorsUnder(f.path(field))) {
                reader.error(f.path(field), "name at least one webhook event, e.g. push");
            }
            return null;
        }
        for (int j = 0; j < list.size(); j++) {
            String eventAt = events instanceof String ? f.path(field) : f.path(field) + "[" + j + "]";
            if (!EVENT.matcher(list.get(j)).matches()) {
                reader.error(eventAt, "'" + list.get(j) + "' is not a valid event name");
            } else {
                WebhookEvents.problem(list.get(j)).ifPresent(problem -> reader.error(eventAt, problem));
            }
        }
        return TriggerSpec.webhook(name, list, filter, overlap);
    }
}
