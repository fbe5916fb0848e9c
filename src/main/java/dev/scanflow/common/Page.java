package dev.scanflow.common;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.function.Function;

/** One page of a list: the items and the cursor of the next page, null on the last. */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record Page<T>(List<T> items, String nextCursor) {

    /**
     * A page from rows read with one more than {@code limit} (the extra row only says that there
     * is a next page): the first {@code limit} rows as items, and the cursor of the last of them
     * when there were more. The one place lists are trimmed.
     */
    public static <R, T> Page<T> of(List<R> rows, int limit, Function<R, String> cursor, Function<R, T> view) {
        List<R> page = trim(rows, limit);
        return new Page<>(page.stream().map(view).toList(), next(rows, limit, cursor));
    }

    /** The rows that belong on the page. */
    public static <R> List<R> trim(List<R> rows, int limit) {
        return rows.size() > limit ? rows.subList(0, limit) : rows;
    }

    /** The cursor of the page's last row when there are more rows, else null. */
    public static <R> String next(List<R> rows, int limit, Function<R, String> cursor) {
        return rows.size() > limit ? cursor.apply(rows.get(limit - 1)) : null;
    }
}
