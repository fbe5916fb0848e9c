package dev.scanflow.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.domain.ValidationError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a parsed JSON/YAML document field by field and keeps going after a problem, so that one
 * answer lists every error of a body with its JSON path: unknown fields (with the known ones
 * named), wrong JSON types (no coercion: {@code "3"} is not a number), aliases given twice. A
 * JSON {@code null} reads as an absent field.
 */
public final class TreeReader {

    private static final ObjectMapper PLAIN = new ObjectMapper();

    private final List<ValidationError> errors;

    public TreeReader() {
        this(new ArrayList<>());
    }

    public TreeReader(List<ValidationError> errors) {
        this.errors = errors;
    }

    public List<ValidationError> errors() {
        return errors;
    }

    public void error(String path, String message) {
        errors.add(ValidationError.at(path, message));
    }

    /** Whether an error was recorded at this path or below it. */
    public boolean hasErrorsUnder(String path) {
        return errors.stream().anyMatch(e -> e.path().equals(path) || e.path().startsWith(path + ".")
                || e.path().startsWith(path + "["));
    }

    /** The node as an object to read fields from, or null (with an error) when it is something else. */
    public Fields object(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            error(path, "wrong type: expected an object" + got(node));
            return null;
        }
        return new Fields(node, path);
    }

    /** The elements of a list, or null (with an error) when the node is not a list. */
    public List<JsonNode> list(JsonNode node, String path) {
        if (node == null || !node.isArray()) {
            error(path, "wrong type: expected a list" + got(node));
            return null;
        }
        List<JsonNode> out = new ArrayList<>();
        node.forEach(out::add);
        return out;
    }

    static String got(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "";
        }
        String kind = node.isTextual() ? "a string" : node.isNumber() ? "a number" : node.isBoolean() ? "a boolean"
                : node.isArray() ? "a list" : node.isObject() ? "an object" : node.isNull() ? "null" : "a value";
        return ", got " + kind;
    }

    /** The fields of one object: read each by name; {@link #done} reports the fields nobody read. */
    public final class Fields {

        private final JsonNode node;
        private final String path;
        private final Set<String> known = new LinkedHashSet<>();
        private final Map<String, String> aliasOf = new LinkedHashMap<>();
        private final Set<String> unlisted = new LinkedHashSet<>();

        Fields(JsonNode node, String path) {
            this.node = node;
            this.path = path;
        }

        public String path() {
            return path;
        }

        public String path(String field) {
            return path + "." + field;
        }

        public TreeReader reader() {
            return TreeReader.this;
        }

        /** Declares fields this object may have without reading them here. */
        public Fields allow(String... fields) {
            known.addAll(List.of(fields));
            return this;
        }

        /**
         * Declares {@code alias} as another spelling of {@code field} (accepted, never shown as
         * known). Returns the spelling the document used (the field's own when neither is there);
         * both at once is an error.
         */
        public String spelling(String field, String... aliases) {
            known.add(field);
            String used = present(field) ? field : null;
            for (String alias : aliases) {
                aliasOf.put(alias, field);
                if (present(alias)) {
                    if (used != null) {
                        error(path(alias), "give either '" + used + "' or '" + alias + "', not both");
                    } else {
                        used = alias;
                    }
                }
            }
            return used == null ? field : used;
        }

        /** Reads a field that is accepted but not named among the known fields in errors. */
        public JsonNode quiet(String field) {
            unlisted.add(field);
            return raw(field);
        }

        public boolean present(String field) {
            JsonNode v = node.get(field);
            return v != null && !v.isNull();
        }

        /** The raw value (absent and null both read as null); the field counts as known. */
        public JsonNode raw(String field) {
            known.add(field);
            JsonNode v = node.get(field);
            return v == null || v.isNull() ? null : v;
        }

        public String text(String field) {
            JsonNode v = raw(field);
            if (v == null) {
                return null;
            }
            if (!v.isTextual()) {
                error(path(field), "wrong type: expected a string" + got(v));
                return null;
            }
            return v.textValue();
        }

        public Integer integer(String field) {
            JsonNode v = raw(field);
            if (v == null) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                error(path(field), "wrong type: expected an integer" + got(v));
                return null;
            }
            return v.intValue();
        }

        public Boolean bool(String field) {
            JsonNode v = raw(field);
            if (v == null) {
                return null;
            }
            if (!v.isBoolean()) {
                error(path(field), "wrong type: expected a boolean (true or false)" + got(v));
                return null;
            }
            return v.booleanValue();
        }

        /** A list of strings; null when absent or (with errors) not a list of strings. */
        public List<String> strings(String field) {
            JsonNode v = raw(field);
            return v == null ? null : TreeReader.this.strings(v, path(field));
        }

        /** A string, or a list of strings: the value as given (String or List), or null. */
        public Object stringOrStrings(String field) {
            JsonNode v = raw(field);
            if (v == null) {
                return null;
            }
            if (v.isTextual()) {
                return v.textValue();
            }
            if (v.isArray()) {
                return TreeReader.this.strings(v, path(field));
            }
            error(path(field), "wrong type: expected a string or a list of strings" + got(v));
            return null;
        }

        /** A free-form object as plain maps, lists and scalars; null when absent. */
        public Map<String, Object> freeObject(String field) {
            JsonNode v = raw(field);
            if (v == null) {
                return null;
            }
            if (!v.isObject()) {
                error(path(field), "wrong type: expected an object" + got(v));
                return null;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> plain = PLAIN.convertValue(v, LinkedHashMap.class);
            return plain;
        }

        /** A nested object's fields; null when absent or (with an error) not an object. */
        public Fields object(String field) {
            JsonNode v = raw(field);
            return v == null ? null : TreeReader.this.object(v, path(field));
        }

        /** Reports every field of the object that was neither read nor allowed. */
        public void done() {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!known.contains(field) && !aliasOf.containsKey(field)) {
                    error(path(field), "unknown field '" + field + "' (known fields: "
                            + String.join(", ", known.stream().filter(k -> !unlisted.contains(k)).sorted().toList()) + ")");
                }
            }
        }
    }

    /** A list of strings, each element checked; null (with errors) when it is not one. */
    public List<String> strings(JsonNode v, String path) {
        if (!v.isArray()) {
            error(path, "wrong type: expected a list of strings" + got(v));
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                error(path + "[" + i + "]", "wrong type: expected a string" + got(v.get(i)));
                ok = false;
            } else {
                out.add(v.get(i).textValue());
            }
        }
        return ok ? out : null;
    }
}
