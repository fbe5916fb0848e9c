package dev.scanflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TemplateChangesTest {

    @Test
    void aWrittenPipelineIsListedForTenSecondsThenLeaves() {
        AtomicLong now = new AtomicLong(1_000);
        TemplateChanges changes = new TemplateChanges(now::get);
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        assertEquals(List.of(), changes.recent());

        changes.written(first);
        now.addAndGet(TemplateChanges.KEPT.toNanos() - 1);
        changes.written(second);
        assertEquals(2, changes.recent().size(), "both within ten seconds of their write");

        now.addAndGet(2);
        assertEquals(List.of(second), changes.recent(), "the first left after ten seconds, the second stays");

        changes.written(first); // written again: listed again, from now
        now.addAndGet(TemplateChanges.KEPT.toNanos());
        assertEquals(List.of(first), changes.recent());
    }
}
