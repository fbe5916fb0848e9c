package dev.scanflow.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class PageTest {

    @Test
    void theExtraRowOnlySaysThereIsANextPage() {
        Page<String> more = Page.of(List.of(1, 2, 3), 2, String::valueOf, i -> "#" + i);
        assertEquals(List.of("#1", "#2"), more.items());
        assertEquals("2", more.nextCursor(), "the cursor of the page's last row");
        Page<String> last = Page.of(List.of(1, 2), 2, String::valueOf, i -> "#" + i);
        assertEquals(List.of("#1", "#2"), last.items());
        assertNull(last.nextCursor());
        assertEquals(List.of(), Page.of(List.<Integer>of(), 2, String::valueOf, i -> "#" + i).items());
    }
}
