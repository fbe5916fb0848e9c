package dev.scanflow.pipeline.definition;

import java.util.List;

/** Fields the document lets users write as one string or as a list of strings. */
public final class Values {

    private Values() {
    }

    /** The value as a list: a string is a list of one; null is empty. */
    public static List<String> strings(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        throw new IllegalArgumentException("not a string or a list of strings: " + value);
    }
}
