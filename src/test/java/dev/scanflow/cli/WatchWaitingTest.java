package dev.scanflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What `runs get` and `runs watch` print for a run or step that waits: its place in line and why. */
class WatchWaitingTest {

    @Test
    void aWaitingRunAndStepSayWhereTheyStandAndWhy() throws Exception {
        JsonNode run = Api.JSON.readTree("{\"id\":\"r1\",\"pipeline_name\":\"p\",\"pipeline_version\":1,"
                + "\"status\":\"pending\",\"completed_steps\":0,\"total_steps\":1,\"total_findings\":0,"
                + "\"wait_reason\":\"limit: the pipeline has 2 of 2 runs running (settings.max_concurrent_runs)\","
                + "\"queue_position\":3,\"step_runs\":[{\"step_id\":\"dast\",\"status\":\"queued\","
                + "\"wait_reason\":\"budget: target shop.example.com allows 1 active step at once, all taken\","
                + "\"queue_position\":7}]}");
        List<String> lines = Watch.lines(run);
        assertEquals("run pending 0/1 steps, 0 findings (waiting, #3 in line, limit: the pipeline has 2 of 2 runs "
                + "running (settings.max_concurrent_runs))", lines.get(0));
        assertEquals("step dast queued (waiting, #7 in line, budget: target shop.example.com allows 1 active step at "
                + "once, all taken)", lines.get(1));
        String table = Watch.table(run);
        assertTrue(table.contains("PENDING (waiting, #3 in line"), table);
        assertTrue(table.contains("LINE") && table.contains("WAITING") && table.contains("budget: target shop.example.com"),
                table);
    }

    @Test
    void aRunThatDoesNotWaitSaysNothingMore() throws Exception {
        JsonNode run = Api.JSON.readTree("{\"status\":\"running\",\"completed_steps\":1,\"total_steps\":2,"
                + "\"total_findings\":0,\"wait_reason\":null,\"step_runs\":[]}");
        assertEquals("run running 1/2 steps, 0 findings", Watch.lines(run).get(0));
    }
}
