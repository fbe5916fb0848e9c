package dev.scanflow.notification;

import java.time.Duration;

/**
 * What one delivery attempt came to: delivered, worth another try (with the channel's
 * Retry-After, if any), or refused for good (a 4xx other than 408 and 429).
 */
public record Attempt(Outcome outcome, Integer status, String error, Duration retryAfter) {

    public enum Outcome { DELIVERED, RETRY, PERMANENT }

    public static Attempt delivered(int status) {
        return new Attempt(Outcome.DELIVERED, status, null, null);
    }

    public static Attempt retry(Integer status, String error, Duration retryAfter) {
        return new Attempt(Outcome.RETRY, status, error, retryAfter);
    }

    public static Attempt permanent(Integer status, String error) {
        return new Attempt(Outcome.PERMANENT, status, error, null);
    }

    /** An HTTP answer: 2xx delivered; 408, 429 and 5xx retried; other 4xx permanent. */
    public static Attempt ofHttp(int status, String body, Duration retryAfter) {
        if (status >= 200 && status < 300) {
            return delivered(status);
        }
        String error = "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + SlackMessage.cut(body.trim(), 300));
        return status == 408 || status == 429 || status >= 500 ? retry(status, error, retryAfter) : permanent(status, error);
    }
}
