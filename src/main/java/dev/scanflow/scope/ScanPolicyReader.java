package dev.scanflow.scope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.CronCalendar;
import dev.scanflow.common.NameRules;
import dev.scanflow.common.TreeReader;
import dev.scanflow.domain.DurationText;
import dev.scanflow.domain.TargetBudget;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A scan policy body (PUT /api/v1/scan-policy) read with every error at once, each with its
 * path ({@code $.allowed_targets[1]}): target entries ({@link TargetRule}), blackout windows
 * (the cron flavour of schedules, a duration of 1 minute to 31 days, an IANA zone, UTC when
 * absent), capabilities as name tokens, target budgets (a target normalized to its key by
 * {@link TargetKeys}, each target once, 1 to 100 active steps, 1 to 100,000 requests a
 * second or none). The fields the API answers with ({@code version},
 * {@code updated_by}, ...) are accepted and ignored, so a policy read can be written back;
 * another tenant's {@code tenant_id} is refused. Plain Java.
 */
final class ScanPolicyReader {

    static final int MAX_TARGETS = 1_000;
    static final int MAX_WINDOWS = 50;
    static final int MAX_CAPABILITIES = 50;
    static final int MAX_BUDGETS = 1_000;
    static final int MAX_ACTIVE_STEPS = 100;
    static final int MAX_REQUESTS_PER_SECOND = 100_000;
    private static final long MIN_WINDOW_SECONDS = 60;
    private static final long MAX_WINDOW_SECONDS = 31 * 86_400L;
    private static final String[] READ_ONLY = {"version", "updated_by", "updated_at", "blackout_until"};

    /** A policy as stored and answered, normalized: canonical target texts, durations, zones, budget keys. */
    record Document(List<String> allowedTargets, List<String> excludedTargets, List<Window> blackoutWindows,
            List<String> activeCapabilities, List<TargetBudget> targetBudgets) {
    }

    /** A blackout window as written. */
    record Window(String cron, String duration, String timezone) {
    }

    private ScanPolicyReader() {
    }

    /** The body read, or a 422 with every error. */
    static Document read(JsonNode body, UUID tenant) {
        TreeReader reader = new TreeReader();
        TreeReader.Fields f = reader.object(body, "$");
        if (f == null) {
            throw ApiException.invalid("Invalid scan policy", reader.errors());
        }
        f.allow(READ_ONLY);
        String tenantId = f.text("tenant_id");
        if (tenantId != null && !tenantId.equalsIgnoreCase(tenant.toString())) {
            reader.error("$.tenant_id", "is another tenant's id: the tenant comes from your token; leave tenant_id out");
        }
        List<String> allowed = targets(f, "allowed_targets", reader);
        List<String> excluded = targets(f, "excluded_targets", reader);
        List<Window> windows = windows(f, reader);
        List<String> capabilities = capabilities(f, reader);
        List<TargetBudget> budgets = budgets(f, reader);
        f.done();
        if (!reader.errors().isEmpty()) {
            throw ApiException.invalid("Invalid scan policy", reader.errors());
        }
        return new Document(allowed, excluded, windows, capabilities, budgets);
    }

    /** The checked policy of a stored document (stored documents were read here, so they compile). */
    static ScanPolicy compile(UUID tenant, Document doc, int version, String updatedBy, java.time.Instant updatedAt) {
        return new ScanPolicy(tenant, doc.allowedTargets().stream().map(TargetRule::parse).toList(),
                doc.excludedTargets().stream().map(TargetRule::parse).toList(),
                doc.blackoutWindows().stream().map(w -> new BlackoutWindow(w.cron(), w.duration(), w.timezone())).toList(),
                doc.activeCapabilities(), doc.targetBudgets(), version, updatedBy, updatedAt);
    }

    private static List<String> targets(TreeReader.Fields f, String field, TreeReader reader) {
        JsonNode node = f.raw(field);
        List<JsonNode> items = node == null ? null : reader.list(node, f.path(field));
        if (items == null) {
            return List.of();
        }
        if (items.size() > MAX_TARGETS) {
            reader.error(f.path(field), "at most " + MAX_TARGETS + " entries");
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String at = f.path(field) + "[" + i + "]";
            if (!items.get(i).isTextual()) {
                reader.error(at, "wrong type: expected a string");
                continue;
            }
            String text = items.get(i).textValue();
            try {
                out.add(TargetRule.parse(text).text);
            } catch (IllegalArgumentException e) {
                reader.error(at, "'" + text + "': " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    private static List<Window> windows(TreeReader.Fields f, TreeReader reader) {
        JsonNode node = f.raw("blackout_windows");
        if (node == null) {
            return List.of();
        }
        List<JsonNode> items = reader.list(node, f.path("blackout_windows"));
        if (items == null) {
            return List.of();
        }
        if (items.size() > MAX_WINDOWS) {
            reader.error(f.path("blackout_windows"), "at most " + MAX_WINDOWS + " windows");
            return List.of();
        }
        List<Window> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            TreeReader.Fields w = reader.object(items.get(i), f.path("blackout_windows") + "[" + i + "]");
            if (w == null) {
                continue;
            }
            String cron = w.text("cron");
            if (cron == null || cron.isBlank()) {
                if (!reader.hasErrorsUnder(w.path("cron"))) {
                    reader.error(w.path("cron"), "a 5-field cron expression is required, e.g. \"0 9 * * 1-5\"");
                }
            } else {
                cron = CronCalendar.normalize(cron);
                String problem = CronCalendar.problem(cron);
                if (problem != null) {
                    reader.error(w.path("cron"), problem);
                }
            }
            String duration = w.text("duration");
            if (duration == null) {
                if (!reader.hasErrorsUnder(w.path("duration"))) {
                    reader.error(w.path("duration"), "is required: how long the window stays open (examples: 30m, 8h, 2d)");
                }
            } else {
                var seconds = DurationText.parseSeconds(duration);
                if (seconds.isEmpty()) {
                    reader.error(w.path("duration"), "'" + duration + "' is not a duration (examples: 30m, 8h, 1h30m)");
                } else if (seconds.get() < MIN_WINDOW_SECONDS || seconds.get() > MAX_WINDOW_SECONDS) {
                    reader.error(w.path("duration"), "must be between " + DurationText.format(MIN_WINDOW_SECONDS)
                            + " and " + DurationText.format(MAX_WINDOW_SECONDS));
                } else {
                    duration = DurationText.format(seconds.get());
                }
            }
            String zone = w.text("timezone");
            if (zone == null) {
                zone = "UTC";
            } else {
                String problem = CronCalendar.zoneProblem(zone);
                if (problem != null) {
                    reader.error(w.path("timezone"), problem);
                } else {
                    zone = ZoneId.of(zone).getId();
                }
            }
            w.done();
            out.add(new Window(cron, duration, zone));
        }
        return out;
    }

    private static List<String> capabilities(TreeReader.Fields f, TreeReader reader) {
        List<String> given = f.strings("active_capabilities");
        if (given == null) {
            return reader.hasErrorsUnder(f.path("active_capabilities")) ? List.of() : ScanPolicy.DEFAULT_ACTIVE;
        }
        if (given.size() > MAX_CAPABILITIES) {
            reader.error(f.path("active_capabilities"), "at most " + MAX_CAPABILITIES + " capabilities");
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < given.size(); i++) {
            if (!NameRules.NAME_TOKEN.matcher(given.get(i)).matches()) {
                reader.error(f.path("active_capabilities") + "[" + i + "]", "'" + given.get(i) + "' is not a capability "
                        + "name: " + NameRules.NAME_TOKEN_TEXT);
            } else {
                out.add(given.get(i));
            }
        }
        return List.copyOf(out);
    }

    private static List<TargetBudget> budgets(TreeReader.Fields f, TreeReader reader) {
        JsonNode node = f.raw("target_budgets");
        List<JsonNode> items = node == null ? null : reader.list(node, f.path("target_budgets"));
        if (items == null) {
            return List.of();
        }
        if (items.size() > MAX_BUDGETS) {
            reader.error(f.path("target_budgets"), "at most " + MAX_BUDGETS + " entries");
            return List.of();
        }
        List<TargetBudget> out = new ArrayList<>();
        Map<String, String> firstAt = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            TreeReader.Fields b = reader.object(items.get(i), f.path("target_budgets") + "[" + i + "]");
            if (b == null) {
                continue;
            }
            String target = b.text("target");
            String key = null;
            if (target == null) {
                if (!reader.hasErrorsUnder(b.path("target"))) {
                    reader.error(b.path("target"), "is required: a host name, an address, a CIDR range or a "
                            + "repository URL");
                }
            } else {
                try {
                    key = TargetKeys.declared(target);
                    String first = firstAt.putIfAbsent(key, b.path("target"));
                    if (first != null) {
                        reader.error(b.path("target"), "'" + TargetKeys.shown(target) + "' is the target of " + first
                                + " (" + key + "): give each target one budget");
                    }
                } catch (IllegalArgumentException e) {
                    reader.error(b.path("target"), "'" + TargetKeys.shown(target) + "': " + e.getMessage());
                }
            }
            Integer steps = bounded(b, "max_active_steps", 1, MAX_ACTIVE_STEPS);
            Integer rate = bounded(b, "requests_per_second", 1, MAX_REQUESTS_PER_SECOND);
            b.done();
            if (key != null) {
                out.add(new TargetBudget(key, steps == null ? 1 : steps, rate));
            }
        }
        return List.copyOf(out);
    }

    /** An optional integer field within bounds; null when absent or wrong. */
    private static Integer bounded(TreeReader.Fields f, String field, int min, int max) {
        Integer value = f.integer(field);
        if (value != null && (value < min || value > max)) {
            f.reader().error(f.path(field), "must be between " + min + " and " + max);
            return null;
        }
        return value;
    }
}
