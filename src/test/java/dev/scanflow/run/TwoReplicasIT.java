package dev.scanflow.run;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.support.LocalProcesses;
import dev.scanflow.support.TestWorker;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of the packaged service started together against one empty database (both run
 * Flyway at once; its lock makes that safe) and one NATS: both come up, both serve the API,
 * both apply workers' results from the shared durable consumer, and no step is dispatched twice;
 * then budgets and run limits hold across them ({@link FairAdmissionAcrossReplicas}).
 */
class TwoReplicasIT {

    @Test
    void twoReplicasStartTogetherAndShareTheWork() throws Exception {
        LocalProcesses.freshDatabase("scanflow_it2");
        try (var nats = new LocalProcesses.NatsServer().start()) {
            // policies and tenants' limits read again every second (5 s by default): FairAdmissionAcrossReplicas
            Map<String, String> env = LocalProcesses.serviceEnv("scanflow_it2", nats.url(), "SCANFLOW_ENGINE_RESULT_BATCH_SIZE", "4",
                    "SCANFLOW_SCOPE_REFRESH", "1s", "SCANFLOW_ADMISSION_REFRESH", "1s");
            UUID tenant = UUID.randomUUID();
            String token = LocalProcesses.mintToken(tenant, "admin");
            try (var a = new LocalProcesses.Service(env).launch();
                    var b = new LocalProcesses.Service(env).launch()) {
                a.awaitReady();
                b.awaitReady();
                try (var worker = new TestWorker(nats.url(), "scanflow", "w-replicas", tenant, List.of("scan"), List.of(), 8)
                        .register(a.base())) {
                    String pipeline = given().baseUri(a.base()).auth().oauth2(token).contentType(ContentType.JSON)
                            .body("{\"name\":\"shared\",\"steps\":[{\"id\":\"one\",\"capabilities\":[\"scan\"]},"
                                    + "{\"id\":\"two\",\"capabilities\":[\"scan\"],\"depends_on\":[\"one\"]}]}")
                            .post("/api/v1/pipelines").then().statusCode(201).extract().path("id");
                    String asset = given().baseUri(b.base()).auth().oauth2(token).contentType(ContentType.JSON)
                            .body("{\"type\":\"server\",\"name\":\"replicas\"}")
                            .post("/api/v1/assets").then().statusCode(201).extract().path("id");
                    List<String> runs = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        String base = (i % 2 == 0 ? a : b).base();
                        runs.add(given().baseUri(base).auth().oauth2(token).contentType(ContentType.JSON)
                                .body("{\"asset_id\":\"" + asset + "\"}").post("/api/v1/pipelines/" + pipeline + "/run")
                                .then().statusCode(201).extract().path("id"));
                    }
                    for (String run : runs) {
                        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                                "completed".equals(given().baseUri(a.base()).auth().oauth2(token)
                                        .get("/api/v1/pipeline-runs/" + run).jsonPath().getString("status")));
                    }
                    double appliedA = a.metric("scanflow_results_applied_total");
                    double appliedB = b.metric("scanflow_results_applied_total");
                    // every completed result applied once; a "running" that arrives after its "completed"
                    // (two replicas, parallel batches) is a no-op, so 40 to 80 reports applied
                    assertTrue(appliedA + appliedB >= 40 && appliedA + appliedB <= 80, "applied " + (appliedA + appliedB));
                    assertTrue(appliedA > 0 && appliedB > 0, "both replicas applied results: " + appliedA + " / " + appliedB);
                    Map<String, Long> commandsPerStep = worker.commands().stream().collect(Collectors.groupingBy(
                            c -> c.path("payload").path("pipeline_run_id").asText() + "/" + c.path("payload").path("step_id").asText(),
                            Collectors.counting()));
                    assertEquals(40, commandsPerStep.size());
                    assertTrue(commandsPerStep.values().stream().allMatch(n -> n == 1), "no step dispatched twice");
                }
                // the same two replicas: target budgets and run limits hold across them (issue 24)
                FairAdmissionAcrossReplicas.budgetsAndLimitsHold(a, b, nats.url());
            }
        }
    }
}
