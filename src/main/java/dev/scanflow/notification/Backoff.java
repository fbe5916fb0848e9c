package dev.scanflow.notification;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a delivery again: exponential back-off with full jitter, from {@code initial}
 * doubling up to {@code max}; a channel's {@code Retry-After} is honoured when it asks for more.
 */
public final class Backoff {

    private Backoff() {
    }

    /** @param attempts the attempts made so far (1 after the first failure) */
    public static Duration next(int attempts, Duration initial, Duration max, Duration retryAfter, double random) {
        long ceiling = Math.min(max.toMillis(), initial.toMillis() << Math.min(attempts - 1, 20));
        // full jitter, but never below half the step, so retries do not bunch at zero
        long delay = ceiling / 2 + (long) (random * (ceiling - ceiling / 2));
        if (retryAfter != null && retryAfter.toMillis() > delay) {
            delay = Math.min(retryAfter.toMillis(), Duration.ofHours(1).toMillis());
        }
        return Duration.ofMillis(delay);
    }

    public static Duration next(int attempts, Duration initial, Duration max, Duration retryAfter) {
        return next(attempts, initial, max, retryAfter, ThreadLocalRandom.current().nextDouble());
    }

    /** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
    public static Duration retryAfter(String header, java.time.Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            try {
                java.time.Instant at = java.time.ZonedDateTime.parse(header.trim(),
                        java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
            } catch (java.time.format.DateTimeParseException ignored) {
                return null;
            }
        }
    }
}
