package dev.scanflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Following a run: on a terminal its steps are redrawn in place; otherwise (CI logs, pipes) one
 * timestamped line is printed per change of the run or a step. Then the verdict for the exit code.
 */
final class Watch {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Watch() {
    }

    static JsonNode follow(Api api, String runId, PrintWriter out, boolean terminal) throws InterruptedException {
        Set<String> seen = new LinkedHashSet<>();
        while (true) {
            JsonNode run = api.get("/api/v1/pipeline-runs/" + runId);
            if (terminal) {
                out.print("\033[H\033[2J" + table(run) + "\n");
            } else {
                for (String line : lines(run)) {
                    if (seen.add(line)) {
                        out.println(LocalTime.now(ZoneOffset.UTC).format(TIME) + " " + line);
                    }
                }
            }
            out.flush();
            if (CommandBase.ENDED.contains(run.path("status").asText())) {
                if (!terminal) {
                    out.println(table(run));
                    out.flush();
                }
                return run;
            }
            Thread.sleep(1000);
        }
    }

    /** The run's state as lines, one for the run and one per step. */
    static List<String> lines(JsonNode run) {
        List<String> lines = new ArrayList<>();
        lines.add("run " + run.path("status").asText() + " " + run.path("completed_steps").asInt() + "/"
                + run.path("total_steps").asInt() + " steps, " + run.path("total_findings").asInt() + " findings"
                + waiting(run));
        for (JsonNode s : run.path("step_runs")) {
            String note = s.hasNonNull("skip_reason") ? ": " + s.get("skip_reason").asText()
                    : s.hasNonNull("error_message") ? ": " + s.get("error_message").asText() : waiting(s);
            lines.add("step " + s.path("step_id").asText() + " " + s.path("status").asText()
                    + (s.hasNonNull("findings_count") ? " " + s.get("findings_count").asInt() + " findings" : "") + note);
        }
        return lines;
    }

    /** Why a run or step waits and its place in line, or nothing. */
    static String waiting(JsonNode node) {
        if (!node.hasNonNull("wait_reason")) {
            return "";
        }
        return " (waiting, " + (node.hasNonNull("queue_position") ? "#" + node.get("queue_position").asInt()
                + " in line, " : "") + node.get("wait_reason").asText() + ")";
    }

    static String table(JsonNode run) {
        StringBuilder sb = new StringBuilder();
        sb.append("Run ").append(run.path("id").asText()).append("  ").append(run.path("pipeline_name").asText())
                .append(" v").append(run.path("pipeline_version").asText()).append("  ")
                .append(run.path("status").asText().toUpperCase()).append(waiting(run)).append('\n');
        java.io.StringWriter w = new java.io.StringWriter();
        PrintWriter pw = new PrintWriter(w);
        Output.table(pw, run.path("step_runs"), List.of(Output.col("STEP", "step_id"), Output.col("STATUS", "status"),
                Output.col("WORKER", "worker_id"), Output.col("FINDINGS", "findings_count"),
                Output.col("LINE", "queue_position"), Output.col("NOTE", "skip_reason"),
                Output.col("WAITING", "wait_reason")));
        pw.flush();
        return sb.append(w).toString().stripTrailing();
    }

    static int verdict(JsonNode run, String failOn, PrintWriter err) {
        return verdict(run, failOn, false, err);
    }

    /**
     * 0 when the run completed without findings at or above {@code failOn}; else 1, saying why.
     * Findings a step reported without a (known) severity count as unknown, which trips every
     * threshold: a scanner that does not rate its findings must not let a build pass unseen.
     * With {@code newOnly}, only findings new to the asset (or reopened) count; a step whose
     * worker sent counts only cannot say what is new, so all its findings count (the gate fails
     * closed) and the message says so.
     */
    static int verdict(JsonNode run, String failOn, boolean newOnly, PrintWriter err) {
        String status = run.path("status").asText();
        if (!"completed".equals(status)) {
            err.println("scanflow: run " + run.path("id").asText() + " " + status
                    + (run.hasNonNull("error_message") ? ": " + run.get("error_message").asText() : ""));
            err.flush();
            return ScanflowCli.RUN_FAILED;
        }
        if (failOn != null) {
            int threshold = CommandBase.SEVERITIES.indexOf(failOn.toLowerCase());
            int rated = 0;
            int unknown = 0;
            int unsure = 0;
            for (JsonNode s : run.path("step_runs")) {
                boolean fresh = newOnly && s.hasNonNull("new_findings_count");
                if (newOnly && !fresh && s.path("findings_count").asInt(0) > 0) {
                    unsure++;
                }
                JsonNode by = s.path(fresh ? "new_findings_by_severity" : "findings_by_severity");
                int known = 0;
                for (int i = 0; i < CommandBase.SEVERITIES.size(); i++) {
                    int n = by.path(CommandBase.SEVERITIES.get(i)).asInt(0);
                    known += n;
                    if (i <= threshold) {
                        rated += n;
                    }
                }
                int all = s.path(fresh ? "new_findings_count" : "findings_count").asInt(0);
                unknown += Math.max(0, all - known);
            }
            int count = rated + unknown;
            if (count > 0) {
                err.println("scanflow: " + count + (newOnly ? " new" : "") + " findings at or above " + failOn.toLowerCase()
                        + " (--fail-on" + (newOnly ? " --new-only" : "") + ")"
                        + (unknown > 0 ? ", " + unknown + " without a severity: counted as unknown, which trips every threshold"
                                : "")
                        + (unsure > 0 ? "; " + unsure + " steps sent counts only, so all their findings count as new" : ""));
                err.flush();
                return ScanflowCli.RUN_FAILED;
            }
        }
        return 0;
    }
}
