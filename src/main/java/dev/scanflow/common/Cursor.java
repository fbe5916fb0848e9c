package dev.scanflow.common;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * A keyset position in a list ordered by (created_at DESC, id DESC). Opaque to clients: the
 * text is base64url of {@code <epoch micros>:<uuid>}.
 */
public record Cursor(Instant createdAt, UUID id) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    public String encode() {
        long micros = createdAt.getEpochSecond() * 1_000_000L + createdAt.getNano() / 1_000;
        String raw = micros + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Null for a null or empty cursor; a 400 problem for anything that is not one of ours. */
    public static Cursor decode(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            long micros = Long.parseLong(raw.substring(0, colon));
            Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                    Math.floorMod(micros, 1_000_000L) * 1_000L);
            return new Cursor(at, UUID.fromString(raw.substring(colon + 1)));
        } catch (RuntimeException e) {
            throw ApiException.badParameter("cursor", "not a cursor returned by this API");
        }
    }

    public static int limit(String limit) {
        return limit(limit, DEFAULT_LIMIT, MAX_LIMIT);
    }

    /**
     * A {@code limit} query parameter: the default when absent, a 400 when it is not a whole
     * number within [1, max] (taken as text: JAX-RS would answer 404 for a parameter it cannot
     * convert).
     */
    public static int limit(String limit, int defaultLimit, int max) {
        if (limit == null || limit.isEmpty()) {
            return defaultLimit;
        }
        int value;
        try {
            value = Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            throw ApiException.badParameter("limit", "must be a whole number between 1 and " + max);
        }
        if (value < 1 || value > max) {
            throw ApiException.badParameter("limit", "must be between 1 and " + max);
        }
        return value;
    }
}
