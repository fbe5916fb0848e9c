package dev.scanflow.fleet;

import dev.scanflow.protocol.Heartbeat;
import dev.scanflow.protocol.WorkerIds;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The bounds of a heartbeat, before any registration is looked at: ids, names and counts of a
 * sane size, so that no heartbeat can store more than a worker needs to say.
 */
final class HeartbeatCheck {

    static final Pattern TOKEN = dev.scanflow.common.NameRules.NAME_TOKEN;
    static final int MAX_NAMES = 64;
    static final int MAX_VERSION = 64;

    private HeartbeatCheck() {
    }

    /** What is wrong with the heartbeat, or null. */
    static String problem(Heartbeat hb) {
        if (!WorkerIds.valid(hb.workerId())) {
            return "worker_id must match " + WorkerIds.PATTERN.pattern();
        }
        if (hb.tenantId() != null) {
            try {
                UUID.fromString(hb.tenantId());
            } catch (IllegalArgumentException e) {
                return "tenant_id must be null or a UUID";
            }
        }
        String names = names("capabilities", hb.capabilities(), true);
        if (names != null) {
            return names;
        }
        names = names("tools", hb.tools(), false);
        if (names != null) {
            return names;
        }
        if (hb.maxConcurrency() == null || hb.maxConcurrency() < 1 || hb.maxConcurrency() > 1000) {
            return "max_concurrency must be between 1 and 1000";
        }
        if (hb.activeCommands() != null && (hb.activeCommands() < 0 || hb.activeCommands() > 100_000)) {
            return "active_commands must be between 0 and 100000";
        }
        if (hb.version() != null && (hb.version().length() > MAX_VERSION
                || hb.version().chars().anyMatch(c -> c < 0x20))) {
            return "version must be at most " + MAX_VERSION + " printable characters";
        }
        return null;
    }

    private static String names(String field, List<String> values, boolean required) {
        if (values == null || values.isEmpty()) {
            return required ? field + " must name at least one" : null;
        }
        if (values.size() > MAX_NAMES) {
            return field + ": at most " + MAX_NAMES;
        }
        if (values.stream().anyMatch(v -> v == null || !TOKEN.matcher(v).matches())) {
            return field + " must be names (lowercase letters, digits, '.', '_', '-')";
        }
        return null;
    }
}
