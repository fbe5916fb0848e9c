package dev.scanflow.fleet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which keys (a subject, a worker) were warned about already, so that a client sending the same
 * bad message every few seconds costs one WARN line, not one per message. Bounded: past
 * {@code max} keys the oldest are forgotten (and may be warned about again).
 */
final class WarnOnce {

    private final Map<String, Boolean> seen;

    WarnOnce(int max) {
        this.seen = new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > max;
            }
        };
    }

    /** True the first time a key is seen (until it is forgotten). */
    synchronized boolean first(String key) {
        return seen.putIfAbsent(key, Boolean.TRUE) == null;
    }
}
