package dev.scanflow.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;

/**
 * JSON Merge Patch (RFC 7396) on Jackson trees, applied by JSON-P's implementation: objects
 * merge field by field, {@code null} removes a field, anything else (lists included) replaces.
 */
public final class MergePatch {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MergePatch() {
    }

    public static JsonNode apply(JsonNode target, JsonNode patch) {
        JsonValue result = Json.createMergePatch(toJsonP(patch)).apply(toJsonP(target));
        try {
            return JSON.readTree(result.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonValue toJsonP(JsonNode node) {
        try (JsonReader reader = Json.createReader(new StringReader(JSON.writeValueAsString(node)))) {
            return reader.readValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
