package dev.scanflow.trigger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.support.LocalProcesses;
import io.restassured.http.ContentType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Two packaged replicas on one database fire a {@code * * * * *} schedule on a schedule clock 30
 * times faster than real time (a minute every 2 s), and one is killed (SIGKILL) while they fire:
 * every nominal minute fires exactly once, with exactly one run per target asset, none missed.
 */
class ScheduleReplicasIT {

    private static final int ASSETS = 20;

    @Test
    void everyFireHappensOncePerAssetAcrossReplicasAndAKill() throws Exception {
        LocalProcesses.freshDatabase("scanflow_it_sched");
        try (var nats = new LocalProcesses.NatsServer().start()) {
            String epoch = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            Map<String, String> env = LocalProcesses.serviceEnv("scanflow_it_sched", nats.url(),
                    "SCANFLOW_SCHEDULES_CLOCK_SPEED", "30", "SCANFLOW_SCHEDULES_CLOCK_EPOCH", epoch);
            UUID tenant = UUID.randomUUID();
            String token = LocalProcesses.mintToken(tenant, "admin");
            try (var a = new LocalProcesses.Service(env).launch(); var b = new LocalProcesses.Service(env).launch()) {
                a.awaitReady();
                b.awaitReady();
                for (int i = 0; i < ASSETS; i++) {
                    given().baseUri((i % 2 == 0 ? a : b).base()).auth().oauth2(token).contentType(ContentType.JSON)
                            .body("{\"type\":\"server\",\"name\":\"host-" + i + "\"}").post("/api/v1/assets").then()
                            .statusCode(201);
                }
                String pipeline = given().baseUri(a.base()).auth().oauth2(token).contentType(ContentType.JSON)
                        .body("{\"name\":\"minutely\",\"triggers\":[{\"type\":\"schedule\",\"name\":\"every-minute\","
                                + "\"cron\":\"* * * * *\",\"overlap\":\"allow\"}],\"steps\":[{\"id\":\"quick\","
                                + "\"capabilities\":[\"none\"],\"condition\":{\"type\":\"never\"}}]}")
                        .post("/api/v1/pipelines").then().statusCode(201).extract().path("id");
                // let both fire for a while, then kill one without warning while fires go on
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> fires(pipeline).size() >= 4);
                double firedByA = a.metric("scanflow_schedule_fires_total");
                a.kill();
                int before = fires(pipeline).size();
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> fires(pipeline).size() >= before + 6);
                double firedByB = b.metric("scanflow_schedule_fires_total");
                assertTrue(firedByA > 0 && firedByB > 0, "both replicas fired: " + firedByA + " / " + firedByB);
                b.close(); // stop firing, then count

                List<Instant> fires = fires(pipeline);
                for (int i = 1; i < fires.size(); i++) {
                    assertEquals(fires.get(i - 1).plus(Duration.ofMinutes(1)), fires.get(i),
                            "consecutive nominal minutes, none missed, none twice: " + fires);
                }
                Map<String, Integer> perFireAndAsset = started(pipeline);
                assertEquals(fires.size() * ASSETS, perFireAndAsset.size(), "one start per fire and asset");
                assertTrue(perFireAndAsset.values().stream().allMatch(n -> n == 1), "never two: " + perFireAndAsset);
                assertEquals(fires.size() * ASSETS, count("SELECT count(*) FROM pipeline_runs WHERE pipeline_id = '"
                        + pipeline + "'"), "one run per fire and asset");
                assertEquals(0, count("SELECT count(*) FROM trigger_outcomes WHERE outcome = 'missed'"));
            }
        }
    }

    private static Connection db() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/scanflow_it_sched", "postgres", "");
    }

    private static List<Instant> fires(String pipeline) throws Exception {
        try (Connection c = db(); ResultSet r = c.createStatement().executeQuery(
                "SELECT fire_at FROM schedule_fires WHERE pipeline_id = '" + pipeline + "' ORDER BY fire_at")) {
            List<Instant> out = new ArrayList<>();
            while (r.next()) {
                out.add(r.getTimestamp(1).toInstant());
            }
            return out;
        }
    }

    /** Starts per (fire, asset) recorded by the fires committed so far. */
    private static Map<String, Integer> started(String pipeline) throws Exception {
        try (Connection c = db(); ResultSet r = c.createStatement().executeQuery(
                "SELECT o.fire_at, o.asset_id, count(*) FROM trigger_outcomes o JOIN schedule_fires f "
                        + "ON f.pipeline_id = o.pipeline_id AND f.fire_at = o.fire_at WHERE o.pipeline_id = '" + pipeline
                        + "' AND o.outcome = 'started' GROUP BY o.fire_at, o.asset_id")) {
            Map<String, Integer> out = new HashMap<>();
            while (r.next()) {
                out.put(r.getTimestamp(1).toInstant() + "/" + r.getString(2), r.getInt(3));
            }
            return out;
        }
    }

    private static long count(String sql) throws Exception {
        try (Connection c = db(); ResultSet r = c.createStatement().executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
