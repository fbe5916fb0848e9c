package dev.scanflow.support;

import static dev.scanflow.support.Api.as;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;

/** Helpers for engine tests: create what a run needs, trigger it, wait for states. */
public final class Runs {

    private Runs() {
    }

    public static String template(String token, String yaml) {
        return as(token).contentType("application/yaml").body(yaml).post("/api/v1/pipelines")
                .then().statusCode(201).extract().path("id");
    }

    public static String asset(String token, String type, String name, String url) {
        String body = "{\"type\":\"" + type + "\",\"name\":\"" + name + "\""
                + (url == null ? "" : ",\"url\":\"" + url + "\"") + "}";
        return as(token).contentType(ContentType.JSON).body(body).post("/api/v1/assets")
                .then().statusCode(201).extract().path("id");
    }

    public static String trigger(String token, String pipelineId, String assetId) {
        return triggerWith(token, pipelineId, "{\"asset_id\":\"" + assetId + "\"}");
    }

    public static String triggerWith(String token, String pipelineId, String body) {
        return as(token).contentType(ContentType.JSON).body(body).post("/api/v1/pipelines/" + pipelineId + "/run")
                .then().statusCode(201).extract().path("id");
    }

    public static JsonPath run(String token, String runId) {
        return as(token).get("/api/v1/pipeline-runs/" + runId).then().statusCode(200).extract().jsonPath();
    }

    public static JsonPath awaitRun(String token, String runId, String... statuses) {
        return awaitRun(token, runId, Duration.ofSeconds(30), statuses);
    }

    public static JsonPath awaitRun(String token, String runId, Duration atMost, String... statuses) {
        Set<String> wanted = Set.of(statuses);
        AtomicReference<JsonPath> last = new AtomicReference<>();
        Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(100))
                .alias("run " + runId + " reaching " + wanted + "; last seen: "
                        + (last.get() == null ? "" : last.get().prettify()))
                .until(() -> {
                    JsonPath run = run(token, runId);
                    last.set(run);
                    return wanted.contains(run.getString("status"));
                });
        return last.get();
    }

    public static JsonPath awaitStep(String token, String runId, String stepId, String... statuses) {
        Set<String> wanted = Set.of(statuses);
        AtomicReference<JsonPath> last = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonPath step = as(token).get("/api/v1/pipeline-runs/" + runId + "/steps/" + stepId)
                    .then().statusCode(200).extract().jsonPath();
            last.set(step);
            return wanted.contains(step.getString("status"));
        });
        return last.get();
    }
}
