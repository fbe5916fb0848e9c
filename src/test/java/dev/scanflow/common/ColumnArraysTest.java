package dev.scanflow.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.mutiny.sqlclient.Tuple;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ColumnArraysTest {

    @Test
    void rowsBecomeOneTypedArrayPerColumnInRowOrder() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        Tuple t = new ColumnArrays(2, UUID.class, String.class, Integer.class)
                .row(a, "first", 1)
                .row(b, null, null)
                .tuple();
        assertEquals(3, t.size());
        // typed arrays: the client sends uuid[], text[], int4[] (an Object[] would not encode)
        assertTrue(t.getValue(0) instanceof UUID[]);
        assertArrayEquals(new UUID[] {a, b}, (UUID[]) t.getValue(0));
        assertArrayEquals(new String[] {"first", null}, (String[]) t.getValue(1));
        assertArrayEquals(new Integer[] {1, null}, (Integer[]) t.getValue(2));
    }

    @Test
    void aRowWithTheWrongNumberOfValuesIsRefused() {
        ColumnArrays columns = new ColumnArrays(1, UUID.class, String.class);
        assertThrows(IllegalArgumentException.class, () -> columns.row(UUID.randomUUID()));
    }
}
