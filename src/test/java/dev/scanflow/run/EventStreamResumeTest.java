package dev.scanflow.run;

import static dev.scanflow.support.Api.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.support.Api;
import dev.scanflow.support.Runs;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Server-Sent Events carry ids; a stream resumed with Last-Event-ID neither repeats nor skips an event. */
@QuarkusTest
class EventStreamResumeTest {

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    private static List<Long> ids(String sse) {
        List<Long> ids = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("id:")) {
                ids.add(Long.parseLong(line.substring(3).trim()));
            }
        }
        return ids;
    }

    @Test
    void aResumedStreamStartsAfterTheLastEventItSaw() throws Exception {
        try (TestWorker w = TestWorker.dedicated(tenant, "sast", "semgrep")) {
            w.onScan((worker, cmd) -> worker.complete(cmd, 1, Map.of()));
            String pipeline = Runs.template(admin, "name: sse\nsteps: [{id: a, tool: semgrep, capabilities: [sast]}, "
                    + "{id: b, tool: semgrep, capabilities: [sast], depends_on: [a]}]");
            String run = Runs.trigger(admin, pipeline, Runs.asset(admin, "repository", "sse-" + UUID.randomUUID(), null));
            Runs.awaitRun(admin, run, "completed");
            String url = "/api/v1/pipeline-runs/" + run + "/events";
            String all = as(admin).accept("text/event-stream").get(url).then().statusCode(200).extract().asString();
            List<Long> ids = ids(all);
            assertTrue(ids.size() >= 6, all);
            for (int i = 1; i < ids.size(); i++) {
                assertTrue(ids.get(i) > ids.get(i - 1), "ids rise: " + ids);
            }
            String resumed = as(admin).accept("text/event-stream").header("Last-Event-ID", String.valueOf(ids.get(2)))
                    .get(url).then().statusCode(200).extract().asString();
            assertEquals(ids.subList(3, ids.size()), ids(resumed));
            assertTrue(resumed.contains("pipeline.run.completed"), resumed);
            // after the final event: the stream ends at once, empty
            String after = as(admin).accept("text/event-stream").header("Last-Event-ID", String.valueOf(ids.get(ids.size() - 1)))
                    .get(url).then().statusCode(200).extract().asString();
            assertEquals(List.of(), ids(after));
            as(admin).accept("text/event-stream").header("Last-Event-ID", "yesterday").get(url).then().statusCode(400);
        }
    }
}
