package dev.scanflow.common;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.domain.ValidationError;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL's text and jsonb hold neither the NUL character (U+0000) nor half of a UTF-16
 * surrogate pair (JSON's {@code "\ud800"}, which jsonb refuses and UTF-8 cannot encode). Bodies
 * are checked here, every string and key with its path, before anything could reach the
 * database: the one place every JSON or YAML body that is stored passes through.
 */
public final class StorableStrings {

    private StorableStrings() {
    }

    /** Every string or key of the tree that cannot be stored, by path; empty when all can. */
    public static List<ValidationError> problems(JsonNode node) {
        List<ValidationError> errors = new ArrayList<>();
        find(node, "$", errors);
        return errors;
    }

    /** Why the text cannot be stored, or null when it can. */
    public static String problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return "the NUL character (U+0000)";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "a lone surrogate (U+" + Integer.toHexString(c).toUpperCase() + " without its pair)";
            }
            if (Character.isLowSurrogate(c)) {
                return "a lone surrogate (U+" + Integer.toHexString(c).toUpperCase() + " without its pair)";
            }
        }
        return null;
    }

    private static void find(JsonNode node, String at, List<ValidationError> errors) {
        if (node.isTextual()) {
            String problem = problem(node.textValue());
            if (problem != null) {
                errors.add(ValidationError.at(at, "must not contain " + problem));
            }
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                String keyProblem = problem(e.getKey());
                String path = at + "." + (keyProblem == null ? e.getKey() : printable(e.getKey()));
                if (keyProblem != null) {
                    errors.add(ValidationError.at(path, "a key must not contain " + keyProblem));
                } else {
                    find(e.getValue(), path, errors);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                find(node.get(i), at + "[" + i + "]", errors);
            }
        }
    }

    /** The key with what cannot be stored (nor answered) replaced by '?'. */
    private static String printable(String key) {
        StringBuilder out = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                out.append(c).append(key.charAt(++i));
            } else {
                out.append(c == '\u0000' || Character.isSurrogate(c) ? '?' : c);
            }
        }
        return out.toString();
    }
}
