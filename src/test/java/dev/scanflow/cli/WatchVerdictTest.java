package dev.scanflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** --fail-on's threshold: findings without a severity count as unknown and trip every threshold. */
class WatchVerdictTest {

    private static JsonNode run(String steps) throws Exception {
        return Api.JSON.readTree("{\"id\":\"r1\",\"status\":\"completed\",\"step_runs\":[" + steps + "]}");
    }

    private static String[] verdict(JsonNode run, String failOn) {
        StringWriter err = new StringWriter();
        int code = Watch.verdict(run, failOn, new PrintWriter(err));
        return new String[] {String.valueOf(code), err.toString()};
    }

    @Test
    void theDesignDocumentsWorkerResponseWithoutSeveritiesTripsEveryThreshold() throws Exception {
        // the design document's worker response: findings_count 2, no findings_by_severity
        JsonNode run = run("{\"step_id\":\"sast\",\"status\":\"completed\",\"findings_count\":2,\"findings_by_severity\":null}");
        for (String failOn : CommandBase.SEVERITIES) {
            String[] v = verdict(run, failOn);
            assertEquals("1", v[0], failOn + ": " + v[1]);
            assertTrue(v[1].contains("2 findings at or above " + failOn + " (--fail-on)"), v[1]);
            assertTrue(v[1].contains("2 without a severity"), v[1]);
            assertTrue(v[1].contains("unknown"), v[1]);
        }
        String[] absent = verdict(run("{\"step_id\":\"sast\",\"status\":\"completed\",\"findings_count\":2}"), "low");
        assertEquals("1", absent[0], absent[1]);
    }

    @Test
    void findingsNotCoveredByTheSeveritiesCountAsUnknown() throws Exception {
        // 5 findings, 1 of them rated low: the other 4 are unknown, so even --fail-on critical trips
        JsonNode run = run("{\"step_id\":\"sast\",\"status\":\"completed\",\"findings_count\":5,"
                + "\"findings_by_severity\":{\"low\":1}}");
        String[] v = verdict(run, "critical");
        assertEquals("1", v[0], v[1]);
        assertTrue(v[1].contains("4 findings at or above critical (--fail-on)"), v[1]);
        assertTrue(v[1].contains("4 without a severity"), v[1]);
        // a severity name the CLI does not know counts as unknown too
        String[] odd = verdict(run("{\"step_id\":\"sast\",\"status\":\"completed\",\"findings_count\":1,"
                + "\"findings_by_severity\":{\"warning\":1}}"), "critical");
        assertEquals("1", odd[0], odd[1]);
    }

    @Test
    void ratedFindingsBelowTheThresholdPass() throws Exception {
        JsonNode run = run("{\"step_id\":\"sast\",\"status\":\"completed\",\"findings_count\":3,"
                + "\"findings_by_severity\":{\"high\":3}},"
                + "{\"step_id\":\"dast\",\"status\":\"skipped\",\"findings_count\":null}");
        assertEquals("0", verdict(run, "critical")[0]);
        String[] v = verdict(run, "medium");
        assertEquals("1", v[0], v[1]);
        assertTrue(v[1].contains("3 findings at or above medium (--fail-on)"), v[1]);
        assertTrue(!v[1].contains("without a severity"), v[1]);
        assertEquals("0", verdict(run("{\"step_id\":\"sast\",\"status\":\"completed\",\"findings_count\":0}"), "info")[0]);
    }
}
