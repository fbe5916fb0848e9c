package dev.scanflow.notification;

import dev.scanflow.protocol.Finding;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Which run ends a template's {@code settings.notification} announces, and the key that keeps each single. */
public final class NotificationRules {

    private NotificationRules() {
    }

    /**
     * A completed run per {@code on_completion}; a failed or timed-out one per {@code on_failure};
     * a cancelled one per {@code on_completion} (it ended, it did not fail); a start per
     * {@code on_start}. With {@code on_state_change}, a run's end is announced only when its
     * outcome differs from the previous run's on the asset (checked by the planner). With
     * {@code on_new_findings}, a completed run is announced only when it found new findings at
     * or above that severity ({@link #newEnough}, checked by the planner).
     */
    public static boolean wanted(String status, Map<String, Object> notification) {
        boolean onCompletion = Boolean.TRUE.equals(notification.get("on_completion"));
        boolean onNewFindings = notification.get("on_new_findings") instanceof String;
        boolean onFailure = Boolean.TRUE.equals(notification.get("on_failure"));
        boolean onStateChange = Boolean.TRUE.equals(notification.get("on_state_change"));
        return switch (status) {
            case "started" -> Boolean.TRUE.equals(notification.get("on_start"));
            case "completed" -> onCompletion || onStateChange || onNewFindings;
            case "cancelled" -> onCompletion;
            case "failed", "timeout" -> onFailure || onStateChange;
            default -> false;
        };
    }

    /** Whether new findings by severity hold one at or above {@code least} (a severity of Finding.SEVERITIES). */
    public static boolean newEnough(Map<String, Integer> newBySeverity, String least) {
        List<String> levels = Finding.SEVERITIES;
        int bar = levels.indexOf(least);
        for (int i = 0; i <= bar && i < levels.size(); i++) {
            if (newBySeverity.getOrDefault(levels.get(i), 0) > 0) {
                return true;
            }
        }
        return false;
    }

    /** One delivery per run, event and channel: also the webhook's {@code webhook-id}. */
    public static String idempotencyKey(UUID runId, String event, UUID channelId) {
        return "run_" + runId + "_" + event.substring(event.lastIndexOf('.') + 1) + "_" + channelId;
    }
}
