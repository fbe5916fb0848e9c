package dev.scanflow.notification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesWithJitterUpToTheCeilingAndHonoursRetryAfter() {
        Duration initial = Duration.ofSeconds(2);
        Duration max = Duration.ofMinutes(10);
        assertEquals(Duration.ofSeconds(1), Backoff.next(1, initial, max, null, 0.0));
        assertEquals(Duration.ofSeconds(2), Backoff.next(1, initial, max, null, 1.0));
        assertEquals(Duration.ofSeconds(8), Backoff.next(3, initial, max, null, 1.0));
        assertEquals(max, Backoff.next(30, initial, max, null, 1.0));
        assertTrue(Backoff.next(30, initial, max, null, 0.0).compareTo(Duration.ofMinutes(5)) >= 0);
        assertEquals(Duration.ofSeconds(30), Backoff.next(1, initial, max, Duration.ofSeconds(30), 0.5));
        // a Retry-After shorter than the back-off does not make it shorter
        assertEquals(Duration.ofSeconds(8), Backoff.next(3, initial, max, Duration.ofSeconds(1), 1.0));
    }

    @Test
    void retryAfterInSecondsOrAsADate() {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        assertEquals(Duration.ofSeconds(7), Backoff.retryAfter("7", now));
        assertEquals(Duration.ofSeconds(30), Backoff.retryAfter("Tue, 01 Dec 2026 10:00:30 GMT", now));
        assertNull(Backoff.retryAfter("soon", now));
        assertNull(Backoff.retryAfter(null, now));
    }

    @Test
    void httpAnswersAreDeliveredRetriedOrRefused() {
        assertEquals(Attempt.Outcome.DELIVERED, Attempt.ofHttp(204, "", null).outcome());
        assertEquals(Attempt.Outcome.RETRY, Attempt.ofHttp(429, "slow down", Duration.ofSeconds(3)).outcome());
        assertEquals(Attempt.Outcome.RETRY, Attempt.ofHttp(503, null, null).outcome());
        assertEquals(Attempt.Outcome.PERMANENT, Attempt.ofHttp(404, "no_service", null).outcome());
        assertEquals("HTTP 404: no_service", Attempt.ofHttp(404, "no_service", null).error());
    }

    @Test
    void whichRunsAreAnnounced() {
        Map<String, Object> both = Map.of("on_completion", true, "on_failure", true);
        assertTrue(NotificationRules.wanted("completed", both));
        assertTrue(NotificationRules.wanted("timeout", both));
        assertTrue(!NotificationRules.wanted("started", both));
        assertTrue(NotificationRules.wanted("started", Map.of("on_start", true)));
        assertTrue(!NotificationRules.wanted("completed", Map.of("on_failure", true)));
        assertTrue(NotificationRules.wanted("failed", Map.of("on_state_change", true)));
        assertTrue(NotificationRules.wanted("completed", Map.of("on_new_findings", "high")));
        assertTrue(!NotificationRules.wanted("cancelled", Map.of("on_new_findings", "high")), "a cancelled run found nothing");
        assertTrue(NotificationRules.newEnough(Map.of("critical", 1), "high"));
        assertTrue(NotificationRules.newEnough(Map.of("high", 2), "high"));
        assertTrue(!NotificationRules.newEnough(Map.of("medium", 5, "low", 1), "high"));
        assertTrue(NotificationRules.newEnough(Map.of("unknown", 1), "unknown"));
    }
}
