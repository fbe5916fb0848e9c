package dev.scanflow.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Reading and writing protocol messages: UTF-8 JSON, snake_case (the records say so themselves). */
public final class ProtocolJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ProtocolJson() {
    }

    public static byte[] bytes(Object message) {
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IOException when the bytes are not JSON of that message */
    public static <T> T read(byte[] data, Class<T> type) throws IOException {
        return MAPPER.readValue(data, type);
    }

    /** A message as a JSON tree (for tools that address its fields by path). */
    public static JsonNode tree(Object message) {
        return MAPPER.valueToTree(message);
    }
}
