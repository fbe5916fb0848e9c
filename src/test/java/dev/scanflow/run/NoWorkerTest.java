package dev.scanflow.run;

import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.template;
import static dev.scanflow.support.Runs.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A step no worker can take ends NO_WORKER after the queue timeout. Apart from EngineTest, which
 * EngineIT runs again against the packaged artifact: this one waits out the whole timeout.
 */
@QuarkusTest
class NoWorkerTest {

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    @Test
    void aStepNoWorkerCanTakeTimesOutWithNoWorker() {
        String yaml = "name: lonely\nsteps:\n  - id: a\n    capabilities: [nobody-has-this]\n";
        JsonPath run = awaitRun(admin, trigger(admin, template(admin, yaml), asset(admin, "server", "lonely", null)),
                Duration.ofSeconds(90), "failed"); // the test profile's queue timeout: 10s
        assertEquals("timeout", run.getString("step_runs[0].status"));
        assertEquals("NO_WORKER", run.getString("step_runs[0].error_code"));
        assertEquals("no capable worker was available within 10s", run.getString("step_runs[0].error_message"));
    }
}
