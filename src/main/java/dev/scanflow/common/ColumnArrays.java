package dev.scanflow.common;

import io.vertx.mutiny.sqlclient.Tuple;
import java.lang.reflect.Array;
import java.util.Arrays;

/**
 * Rows turned into one array per column, the parameters of a multi-row statement that reads
 * them back with {@code unnest($1::uuid[], $2::text[], ...)}: any number of rows in one
 * statement, where a batch would execute the statement once per row. Each column is an array
 * of its Java type (UUID[], String[], Integer[], ...), which the PostgreSQL client sends as the
 * matching array type; JSON goes as text and is cast in SQL.
 */
public final class ColumnArrays {

    private final Object[][] columns;
    private int next;

    public ColumnArrays(int rows, Class<?>... types) {
        columns = new Object[types.length][];
        for (int c = 0; c < types.length; c++) {
            columns[c] = (Object[]) Array.newInstance(types[c], rows);
        }
    }

    /** Adds the next row: one value per column, in the columns' order. */
    public ColumnArrays row(Object... values) {
        if (values.length != columns.length) {
            throw new IllegalArgumentException(values.length + " values for " + columns.length + " columns");
        }
        for (int c = 0; c < values.length; c++) {
            columns[c][next] = values[c];
        }
        next++;
        return this;
    }

    public Tuple tuple() {
        return Tuple.from(Arrays.asList((Object[]) columns));
    }
}
