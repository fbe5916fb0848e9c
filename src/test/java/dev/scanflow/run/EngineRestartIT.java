package dev.scanflow.run;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.support.LocalProcesses;
import dev.scanflow.support.TestWorker;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The engine survives restarts: the packaged service is killed (-9) mid-run while a worker
 * finishes a step, then started again; later NATS itself restarts mid-step. The run completes
 * and no step is lost or dispatched twice. Uses its own nats-server and database.
 */
class EngineRestartIT {

    private static final String PREFIX = "scanflow";

    @Test
    void aRunSurvivesServiceAndNatsRestartsWithoutLosingOrRepeatingAStep() throws Exception {
        LocalProcesses.freshDatabase("scanflow_it");
        try (var nats = new LocalProcesses.NatsServer().start()) {
            Map<String, String> env = LocalProcesses.serviceEnv("scanflow_it", nats.url(), "SCANFLOW_ENGINE_ACK_TIMEOUT", "2m");
            UUID tenant = UUID.randomUUID();
            String token = LocalProcesses.mintToken(tenant, "admin");
            try (var service = new LocalProcesses.Service(env).start();
                    var worker = new TestWorker(nats.url(), PREFIX, "w-restart", tenant, List.of("scan"), List.of(), 4)
                            .register(service.base())) {
                // a completes at once; b and c are held until the test says so
                worker.onScan((w, cmd) -> {
                    if ("a".equals(cmd.path("payload").path("step_id").asText())) {
                        w.complete(cmd, 1, Map.of());
                    } else {
                        w.running(cmd);
                    }
                });
                String pipeline = given().baseUri(service.base()).auth().oauth2(token).contentType(ContentType.JSON)
                        .body("{\"name\":\"chain\",\"steps\":[{\"id\":\"a\",\"capabilities\":[\"scan\"]},"
                                + "{\"id\":\"b\",\"capabilities\":[\"scan\"],\"depends_on\":[\"a\"]},"
                                + "{\"id\":\"c\",\"capabilities\":[\"scan\"],\"depends_on\":[\"b\"]}]}")
                        .post("/api/v1/pipelines").then().statusCode(201).extract().path("id");
                String asset = given().baseUri(service.base()).auth().oauth2(token).contentType(ContentType.JSON)
                        .body("{\"type\":\"server\",\"name\":\"restart\"}")
                        .post("/api/v1/assets").then().statusCode(201).extract().path("id");
                String runId = given().baseUri(service.base()).auth().oauth2(token).contentType(ContentType.JSON)
                        .body("{\"asset_id\":\"" + asset + "\"}")
                        .post("/api/v1/pipelines/" + pipeline + "/run").then().statusCode(201).extract().path("id");

                JsonNode b = worker.awaitCommand("b");
                awaitStep(service, token, runId, "b", "running");

                // 1. the service dies; meanwhile the worker finishes b (JetStream keeps the result)
                service.kill();
                worker.complete(b, 2, Map.of());
                service.start();
                JsonNode c = worker.awaitCommand("c");
                awaitStep(service, token, runId, "c", "running");

                // 2. NATS restarts while c runs; the worker reports once NATS is back
                nats.stop();
                nats.start();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> LocalProcesses.ready(service.base() + "/q/health/ready"));
                worker.complete(c, 3, Map.of());

                JsonPath run = awaitRun(service, token, runId, "completed");
                assertEquals(6, run.getInt("total_findings"));
                assertEquals(3, run.getInt("completed_steps"));
                // every step was dispatched exactly once
                Map<String, Set<String>> commandsPerStep = worker.commands().stream().collect(Collectors.groupingBy(
                        cmd -> cmd.path("payload").path("step_id").asText(),
                        Collectors.mapping(cmd -> cmd.path("id").asText(), Collectors.toSet())));
                assertEquals(Map.of("a", 1, "b", 1, "c", 1), commandsPerStep.entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size())));
                List<String> events = given().baseUri(service.base()).auth().oauth2(token)
                        .get("/api/v1/pipeline-runs/" + runId + "/history").jsonPath().getList("items.type");
                assertEquals(3, events.stream().filter("pipeline.step.completed"::equals).count());
                assertEquals(1, events.stream().filter("pipeline.run.completed"::equals).count());
            }
        }
    }

    private static JsonPath awaitRun(LocalProcesses.Service service, String token, String runId, String status) {
        JsonPath[] last = new JsonPath[1];
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = given().baseUri(service.base()).auth().oauth2(token).get("/api/v1/pipeline-runs/" + runId)
                    .then().statusCode(200).extract().jsonPath();
            return status.equals(last[0].getString("status"));
        });
        return last[0];
    }

    private static void awaitStep(LocalProcesses.Service service, String token, String runId, String step,
            String status) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                status.equals(given().baseUri(service.base()).auth().oauth2(token)
                        .get("/api/v1/pipeline-runs/" + runId + "/steps/" + step).jsonPath().getString("status")));
    }
}
