package dev.scanflow.fleet;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.protocol.Heartbeat;
import dev.scanflow.support.LocalProcesses;
import dev.scanflow.support.TestWorker;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Open registration (development only), in the packaged service: a worker's first heartbeat
 * registers it as it describes itself, capped; later heartbeats can neither move it to another
 * tenant nor widen what it was registered with (more concurrency is granted up to the cap). The service says loudly that it is on.
 */
class OpenRegistrationIT {

    @Test
    void theFirstHeartbeatRegistersAndLaterOnesCannotWidenIt() throws Exception {
        LocalProcesses.freshDatabase("scanflow_it_open");
        try (var nats = new LocalProcesses.NatsServer().start()) {
            Map<String, String> env = LocalProcesses.serviceEnv("scanflow_it_open", nats.url(),
                    "SCANFLOW_WORKERS_OPEN_REGISTRATION", "true", "SCANFLOW_WORKERS_HEARTBEAT_INTERVAL", "1s");
            UUID tenant = UUID.randomUUID();
            String token = LocalProcesses.mintToken(tenant, "admin");
            try (var service = new LocalProcesses.Service(env).start();
                    var worker = new TestWorker(nats.url(), "scanflow", "w-open", tenant, List.of("scan"), List.of("nmap"), 50)) {
                // it asks for 50 on every beat: registered at the cap (16) and online with 16
                JsonPath view = awaitWorker(service, token, "w-open");
                assertEquals("open", view.getString("registration"));
                assertEquals(tenant.toString(), view.getString("tenant_id"));
                assertEquals(List.of("scan"), view.getList("registered_capabilities"));
                assertEquals(16, view.getInt("registered_max_concurrency"));
                assertEquals(16, view.getInt("max_concurrency"));
                assertEquals(50, view.getInt("announced_max_concurrency"));

                double before = service.metric("scanflow_workers_heartbeats_rejected_total");
                worker.publish(worker.subjects().heartbeat("w-open"),
                        new Heartbeat("w-open", UUID.randomUUID().toString(), List.of("scan"), List.of(), 4, 0, "x"));
                worker.publish(worker.subjects().heartbeat("w-open"),
                        new Heartbeat("w-open", tenant.toString(), List.of("scan", "dast"), List.of(), 4, 0, "x"));
                worker.publish(worker.subjects().heartbeat("w-open"),
                        new Heartbeat("w-open", tenant.toString(), List.of("scan"), List.of(), 900, 0, "x"));
                Awaitility.await().atMost(Duration.ofSeconds(15))
                        .until(() -> service.metric("scanflow_workers_heartbeats_rejected_total") >= before + 2);
                JsonPath after = given().baseUri(service.base()).auth().oauth2(token).get("/api/v1/workers/w-open")
                        .then().statusCode(200).extract().jsonPath();
                assertEquals(tenant.toString(), after.getString("tenant_id"));
                assertEquals(List.of("scan"), after.getList("capabilities"));
                assertEquals(16, after.getInt("max_concurrency"));
                assertEquals("online", after.getString("status"));
            }
            String log = Files.list(Path.of("target")).filter(p -> p.getFileName().toString().startsWith("it-service-"))
                    .map(p -> {
                        try {
                            return Files.readString(p);
                        } catch (Exception e) {
                            return "";
                        }
                    })
                    .filter(t -> t.contains("scanflow_it_open") || t.contains("OPEN REGISTRATION")).findFirst().orElse("");
            assertTrue(log.contains("OPEN REGISTRATION IS ON"), "the service said nothing about open registration");
        }
    }

    private static JsonPath awaitWorker(LocalProcesses.Service service, String token, String id) {
        JsonPath[] last = new JsonPath[1];
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            var r = given().baseUri(service.base()).auth().oauth2(token).get("/api/v1/workers/" + id);
            if (r.statusCode() != 200) {
                return false;
            }
            last[0] = r.jsonPath();
            return "online".equals(last[0].getString("status"));
        });
        return last[0];
    }
}
