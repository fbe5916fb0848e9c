package dev.scanflow.notification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlackMessageTest {

    private static RunSummary run(int steps, String error) {
        List<RunSummary.Step> list = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            list.add(i % 3 == 0 ? new RunSummary.Step("scan_" + i, "Scan " + i, "completed", i, Map.of("high", i), null, null, null)
                    : i % 3 == 1 ? new RunSummary.Step("skip_" + i, "Skip " + i, "skipped", null, null,
                            "Condition not met: asset.type in ['repository']", null, null)
                    : new RunSummary.Step("fail_" + i, "Fail " + i, "failed", null, null, null, "EXIT_2", error));
        }
        return new RunSummary("r1", "p1", "Full Security Scan", 3, "acme/api", "repository", "failed", "schedule",
                "system", 42L, 7, Map.of("high", 7), "steps failed", list, "https://scanflow.example.com/api/v1/pipeline-runs/r1");
    }

    @Test
    void aRunIsAHeaderItsFactsItsStepsAndALink() {
        JsonNode m = SlackMessage.of(run(3, "semgrep exited with 2"));
        assertTrue(m.path("text").asText().contains("Full Security Scan on acme/api: FAILED"));
        JsonNode blocks = m.path("blocks");
        assertEquals("header", blocks.get(0).path("type").asText());
        assertTrue(blocks.get(1).path("fields").toString().contains("schedule by system"));
        String all = blocks.toString();
        assertTrue(all.contains("*scan_0* completed — 0 findings (0 high)"), all);
        assertTrue(all.contains("Condition not met"), all);
        assertTrue(all.contains("EXIT_2: semgrep exited with 2"), all);
        assertEquals("https://scanflow.example.com/api/v1/pipeline-runs/r1",
                blocks.get(blocks.size() - 1).path("elements").get(0).path("url").asText());
    }

    @Test
    void longRunsStayWithinSlacksLimitsAndSayHowManyStepsAreLeftOut() {
        RunSummary big = run(400, "x".repeat(2500));
        JsonNode blocks = SlackMessage.of(big).path("blocks");
        assertTrue(blocks.size() <= 50, "blocks: " + blocks.size());
        int lines = 0;
        for (JsonNode b : blocks) {
            String text = b.path("text").path("text").asText("");
            assertTrue(text.length() <= 3000, "a section of " + text.length());
            if (b.path("type").asText().equals("section") && text.contains("*")) {
                lines += text.split("\n").length;
            }
        }
        String more = blocks.get(blocks.size() - 2).path("elements").get(0).path("text").asText();
        assertTrue(more.matches("…and \\d+ more steps: see the run"), more);
        int left = Integer.parseInt(more.replaceAll("\\D", ""));
        // every step is either shown or counted
        assertEquals(400, lines - 1 + left, "shown " + (lines - 1) + " + left " + left);
    }
}
