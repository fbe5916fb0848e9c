package dev.scanflow.run;

import static dev.scanflow.support.Api.as;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.scanflow.support.Api;
import dev.scanflow.support.Runs;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** List filters take several values; a query parameter the operation does not take is a 400 naming it. */
@QuarkusTest
class ListFiltersTest {

    private final UUID tenant = Api.newTenant();
    private final String admin = TestTokens.admin(tenant);

    @Test
    void statusTakesSeveralValuesAndTyposAreRefused() throws Exception {
        try (TestWorker w = TestWorker.dedicated(tenant, "sast", "semgrep")) {
            String pipeline = Runs.template(admin, "name: filters\nsteps: [{id: a, tool: semgrep, capabilities: [sast]}]");
            String asset = Runs.asset(admin, "repository", "filters-" + UUID.randomUUID(), null);
            w.onScan((worker, cmd) -> worker.complete(cmd, 0, Map.of()));
            String ok = Runs.trigger(admin, pipeline, asset);
            Runs.awaitRun(admin, ok, "completed");
            w.onScan((worker, cmd) -> worker.fail(cmd, "EXIT_1", "no"));
            String bad = Runs.trigger(admin, pipeline, asset);
            Runs.awaitRun(admin, bad, "failed");
            String base = "/api/v1/pipeline-runs?pipeline_id=" + pipeline;
            as(admin).get(base + "&status=failed,timeout").then().statusCode(200).body("items.id", containsInAnyOrder(bad));
            as(admin).get(base + "&status=failed&status=completed").then().statusCode(200)
                    .body("items.id", containsInAnyOrder(ok, bad));
            as(admin).get(base + "&status=completed,nope").then().statusCode(400)
                    .body("errors[0].path", equalTo("status")).body("detail", containsString("'nope'"));
            as(admin).get(base + "&stauts=failed").then().statusCode(400)
                    .body("errors[0].path", equalTo("stauts")).body("detail", containsString("status"));
            as(admin).get("/api/v1/pipelines/" + pipeline + "?verison=1").then().statusCode(400)
                    .body("errors[0].path", equalTo("verison"));
        }
    }
}
