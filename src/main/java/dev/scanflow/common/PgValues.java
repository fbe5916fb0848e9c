package dev.scanflow.common;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Values between the reactive PostgreSQL client and Java: instants, and JSON as plain maps and lists. */
public final class PgValues {

    private PgValues() {
    }

    public static Instant instant(Row row, String column) {
        OffsetDateTime t = row.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    public static OffsetDateTime odt(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }

    /** A JSON object column as a plain map; empty when NULL. */
    public static Map<String, Object> json(Row row, String column) {
        Map<String, Object> m = jsonOrNull(row, column);
        return m == null ? Map.of() : m;
    }

    public static Map<String, Object> jsonOrNull(Row row, String column) {
        Object v = row.getValue(column);
        if (v instanceof JsonObject o) {
            @SuppressWarnings("unchecked")
            Map<String, Object> plain = (Map<String, Object>) plain(o);
            return plain;
        }
        return null;
    }

    /** A map as JSON text, for a text[] column array cast to jsonb in SQL (null stays NULL). */
    public static String jsonText(Map<String, Object> map) {
        return map == null ? null : new JsonObject(map).encode();
    }

    /** JSON from the database as plain maps and lists (what CEL and Jackson expect). */
    @SuppressWarnings("unchecked")
    public static Object plain(Object v) {
        if (v instanceof JsonObject o) {
            Map<String, Object> out = new LinkedHashMap<>();
            o.forEach(e -> out.put(e.getKey(), plain(e.getValue())));
            return out;
        }
        if (v instanceof JsonArray a) {
            List<Object> out = new ArrayList<>();
            a.forEach(x -> out.add(plain(x)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            return plain(new JsonObject(new LinkedHashMap<>((Map<String, Object>) m)));
        }
        if (v instanceof List<?> l) {
            return plain(new JsonArray(new ArrayList<>(l)));
        }
        return v;
    }
}
