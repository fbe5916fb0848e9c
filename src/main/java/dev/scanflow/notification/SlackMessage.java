package dev.scanflow.notification;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run as a Slack Block Kit message, within Slack's limits: at most 50 blocks, 3,000 characters
 * a section, 150 a header. Steps share sections; when they do not fit, the last block says how
 * many more there are: nothing is silently dropped. {@code text} is the notification fallback.
 */
public final class SlackMessage {

    static final int MAX_BLOCKS = 50;
    static final int MAX_SECTION = 3000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SlackMessage() {
    }

    public static ObjectNode of(RunSummary r) {
        ObjectNode message = JSON.createObjectNode();
        String title = emoji(r.status()) + " " + r.pipelineName() + " on " + r.assetName() + ": " + r.status().toUpperCase();
        message.put("text", title + " (" + r.totalFindings() + " findings)");
        ArrayNode blocks = message.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("text", cut(title, 150)).put("emoji", true);
        ObjectNode facts = blocks.addObject().put("type", "section");
        ArrayNode fields = facts.putArray("fields");
        field(fields, "Pipeline", r.pipelineName() + " v" + r.pipelineVersion());
        field(fields, "Asset", r.assetName() + " (" + r.assetType() + ")");
        field(fields, "Status", r.status());
        field(fields, "Trigger", r.triggerType() + (r.triggeredBy() == null ? "" : " by " + r.triggeredBy()));
        field(fields, "Duration", r.durationSeconds() == null ? "-" : r.durationSeconds() + " s");
        field(fields, "Findings", r.totalFindings() + severities(r.findingsBySeverity()));
        if (r.changes() != null) {
            field(fields, "Changes", r.changes());
        }
        if (r.errorMessage() != null) {
            section(blocks, "*Error:* " + r.errorMessage());
        }
        blocks.addObject().put("type", "divider");
        // the blocks left for steps: one for a possible "N more steps", one for the link
        int room = MAX_BLOCKS - blocks.size() - 2;
        // steps packed into sections of at most 3,000 characters, in order
        List<StringBuilder> sections = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (RunSummary.Step step : r.steps()) {
            String line = cut(stepLine(step), MAX_SECTION);
            StringBuilder last = sections.isEmpty() ? null : sections.get(sections.size() - 1);
            if (last == null || last.length() + 1 + line.length() > MAX_SECTION) {
                sections.add(new StringBuilder(line));
                counts.add(1);
            } else {
                last.append('\n').append(line);
                counts.set(counts.size() - 1, counts.get(counts.size() - 1) + 1);
            }
        }
        int shown = 0;
        for (int k = 0; k < sections.size() && k < room; k++) {
            section(blocks, sections.get(k).toString());
            shown += counts.get(k);
        }
        if (shown < r.steps().size()) {
            blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
                    .put("text", "…and " + (r.steps().size() - shown) + " more steps: see the run");
        }
        ObjectNode actions = blocks.addObject().put("type", "actions");
        ObjectNode button = actions.putArray("elements").addObject().put("type", "button").put("url", r.link());
        button.putObject("text").put("type", "plain_text").put("text", "Open the run");
        return message;
    }

    static String stepLine(RunSummary.Step s) {
        String detail = switch (s.status()) {
            case "completed" -> (s.findingsCount() == null ? 0 : s.findingsCount()) + " findings" + severities(s.findingsBySeverity());
            case "skipped" -> s.skipReason() == null ? "skipped" : s.skipReason();
            default -> (s.errorCode() == null ? "" : s.errorCode() + ": ") + (s.errorMessage() == null ? "" : s.errorMessage());
        };
        return emoji(s.status()) + " *" + s.id() + "* " + s.status() + (detail.isEmpty() ? "" : " — " + detail);
    }

    private static String severities(Map<String, Integer> counts) {
        if (counts == null || counts.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (");
        counts.forEach((k, v) -> sb.append(sb.length() > 2 ? ", " : "").append(v).append(' ').append(k));
        return sb.append(')').toString();
    }

    private static String emoji(String status) {
        return switch (status) {
            case "completed" -> ":white_check_mark:";
            case "skipped" -> ":fast_forward:";
            case "cancelled" -> ":no_entry_sign:";
            default -> ":x:";
        };
    }

    private static void field(ArrayNode fields, String name, String value) {
        fields.addObject().put("type", "mrkdwn").put("text", cut("*" + name + "*\n" + value, 2000));
    }

    private static void section(ArrayNode blocks, String text) {
        blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("text", cut(text, MAX_SECTION));
    }

    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
