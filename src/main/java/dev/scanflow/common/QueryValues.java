package dev.scanflow.common;

/** Query parameters read strictly: a bad value is a 400 that names the parameter. */
public final class QueryValues {

    private QueryValues() {
    }

    /** {@code ?version=N}: null when absent, else a positive integer. */
    public static Integer version(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            int v = Integer.parseInt(value);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw ApiException.badParameter("version", "must be a positive integer");
    }

    /** true, false, or null when absent. */
    public static Boolean bool(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        return switch (value) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw ApiException.badParameter(name, "must be true or false");
        };
    }

    /**
     * A filter that takes several values, comma-separated or repeated ({@code ?status=failed,timeout}
     * or {@code ?status=failed&status=timeout}), each one of {@code allowed}; empty when absent.
     */
    public static java.util.List<String> oneOf(String name, java.util.List<String> values, java.util.List<String> allowed) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        if (values != null) {
            for (String v : values) {
                for (String part : v.split(",")) {
                    String p = part.trim();
                    if (p.isEmpty()) {
                        continue;
                    }
                    if (!allowed.contains(p)) {
                        throw ApiException.badParameter(name, "'" + p + "' is not one of " + String.join(", ", allowed));
                    }
                    out.add(p);
                }
            }
        }
        return java.util.List.copyOf(out);
    }

    /** An id parameter, or null when absent. */
    public static java.util.UUID uuid(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return java.util.UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.badParameter(name, "must be a UUID");
        }
    }
}
