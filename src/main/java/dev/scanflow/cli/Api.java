package dev.scanflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** Scanflow's REST API over plain HTTP (java.net.http), as the CLI uses it. */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A problem+json answer (or any non-2xx), with what the server said. */
    static final class Failure extends RuntimeException {
        final int status;
        final JsonNode problem;

        Failure(int status, JsonNode problem, String message) {
            super(message);
            this.status = status;
            this.problem = problem;
        }

        /** The same failure, its message naming what it is about (the file an apply read). */
        Failure about(String what) {
            return new Failure(status, problem, what + ": " + getMessage());
        }
    }

    /** A 2xx answer: its body (null when empty) and headers. */
    record Answer(int status, JsonNode body, Map<String, java.util.List<String>> headers) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String token;

    Api(String base, String token) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    JsonNode get(String path) {
        return send("GET", path, null, null).body();
    }

    /** A GET answered in another representation than JSON (SARIF): its bytes as sent. */
    byte[] raw(String path, String accept) {
        return exchange("GET", path, null, null, accept).body();
    }

    Answer send(String method, String path, byte[] body, String contentType) {
        HttpResponse<byte[]> r = exchange(method, path, body, contentType, "application/json");
        JsonNode parsed = null;
        if (r.body().length > 0) {
            try {
                parsed = JSON.readTree(r.body());
            } catch (IOException e) {
                parsed = null;
            }
        }
        return new Answer(r.statusCode(), parsed, r.headers().map());
    }

    private HttpResponse<byte[]> exchange(String method, String path, byte[] body, String contentType, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Accept", accept);
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", contentType);
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new Failure(0, null, "cannot reach Scanflow at " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(0, null, "interrupted");
        }
        if (r.statusCode() >= 300) {
            JsonNode parsed = null;
            try {
                parsed = r.body().length > 0 ? JSON.readTree(r.body()) : null;
            } catch (IOException e) {
                parsed = null;
            }
            String title = parsed != null && parsed.hasNonNull("title") ? parsed.get("title").asText() : "HTTP " + r.statusCode();
            throw new Failure(r.statusCode(), parsed, title);
        }
        return r;
    }
}
