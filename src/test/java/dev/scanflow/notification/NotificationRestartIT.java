package dev.scanflow.notification;

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
 * Deliveries survive the service: with the receiver failing, runs end and their notifications
 * wait; the packaged service is killed (-9) and started again once the receiver is back, and
 * every notification arrives exactly once (counted by webhook-id among the answered requests).
 */
class NotificationRestartIT {

    @Test
    void pendingDeliveriesArriveExactlyOnceAfterAKill() throws Exception {
        LocalProcesses.freshDatabase("scanflow_it_notify");
        try (var nats = new LocalProcesses.NatsServer().start(); Receiver receiver = new Receiver()) {
            Map<String, String> env = LocalProcesses.serviceEnv("scanflow_it_notify", nats.url(),
                    "SCANFLOW_SECRETS_KEY", "dGVzdC1vbmx5LXNlY3JldHMta2V5LTMyLWJ5dGVzISE=",
                    "SCANFLOW_NOTIFICATIONS_ALLOW_PRIVATE_TARGETS", "true",
                    "SCANFLOW_NOTIFICATIONS_INITIAL_BACKOFF", "300ms",
                    "SCANFLOW_NOTIFICATIONS_MAX_BACKOFF", "600ms",
                    "SCANFLOW_NOTIFICATIONS_REQUEST_TIMEOUT", "2s");
            UUID tenant = UUID.randomUUID();
            String token = LocalProcesses.mintToken(tenant, "admin");
            receiver.fallback = 503;
            try (var service = new LocalProcesses.Service(env).start();
                    var worker = new TestWorker(nats.url(), "scanflow", "w-notify", tenant, List.of("scan"), List.of(), 4)
                            .register(service.base())) {
                worker.onScan((w, cmd) -> w.complete(cmd, 1, Map.of()));
                given().baseUri(service.base()).auth().oauth2(token).contentType(ContentType.JSON)
                        .body(Map.of("name", "siem", "type", "webhook", "url", receiver.url("/siem")))
                        .post("/api/v1/notification-channels").then().statusCode(201);
                String pipeline = given().baseUri(service.base()).auth().oauth2(token).contentType(ContentType.JSON)
                        .body("{\"name\":\"notified\",\"steps\":[{\"id\":\"a\",\"capabilities\":[\"scan\"]}],"
                                + "\"settings\":{\"notification\":{\"on_completion\":true,\"channels\":[\"siem\"]}}}")
                        .post("/api/v1/pipelines").then().statusCode(201).extract().path("id");
                String asset = given().baseUri(service.base()).auth().oauth2(token).contentType(ContentType.JSON)
                        .body("{\"type\":\"server\",\"name\":\"notify\"}")
                        .post("/api/v1/assets").then().statusCode(201).extract().path("id");
                List<String> runs = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    runs.add(run(service, token, pipeline, asset));
                }
                // every run's notification is recorded and tried at least once, none delivered
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> runs.stream().allMatch(r ->
                        deliveries(service, token, r).contains("pending")));
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests.stream()
                        .map(q -> q.header("webhook-id")).distinct().count() == 5);

                service.kill();
                receiver.fallback = 200;
                service.start();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> runs.stream().allMatch(r ->
                        deliveries(service, token, r).equals("delivered")));
                // one more run, delivered after those: the sender has passed over them since
                String last = run(service, token, pipeline, asset);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> deliveries(service, token, last).equals("delivered"));
                runs.add(last);

                Map<String, Long> answered = receiver.requests.stream().filter(q -> q.answered() == 200)
                        .collect(Collectors.groupingBy(q -> q.header("webhook-id"), Collectors.counting()));
                assertEquals(6, answered.size(), answered.toString());
                assertTrue(answered.values().stream().allMatch(n -> n == 1), answered.toString());
                for (String r : runs) {
                    assertTrue(answered.keySet().stream().anyMatch(id -> id.startsWith("run_" + r + "_completed_")), r);
                }
            }
        }
    }

    private static String run(LocalProcesses.Service service, String token, String pipeline, String asset) {
        String id = given().baseUri(service.base()).auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"asset_id\":\"" + asset + "\"}").post("/api/v1/pipelines/" + pipeline + "/run")
                .then().statusCode(201).extract().path("id");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(given().baseUri(service.base())
                .auth().oauth2(token).get("/api/v1/pipeline-runs/" + id).jsonPath().getString("status")));
        return id;
    }

    private static String deliveries(LocalProcesses.Service service, String token, String run) {
        List<String> statuses = given().baseUri(service.base()).auth().oauth2(token)
                .get("/api/v1/pipeline-runs/" + run + "/notifications").jsonPath().getList("items.status");
        return String.join(",", statuses);
    }
}
