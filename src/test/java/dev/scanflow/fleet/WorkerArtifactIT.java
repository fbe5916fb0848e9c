package dev.scanflow.fleet;

import static dev.scanflow.support.Runs.asset;
import static dev.scanflow.support.Runs.awaitRun;
import static dev.scanflow.support.Runs.template;
import static dev.scanflow.support.Runs.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import dev.scanflow.support.TestWorker;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.path.json.JsonPath;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The reference worker as it ships: target/scanflow-worker.jar started as its own JVM (nothing
 * else on its classpath), real nmap, against the packaged service.
 */
@QuarkusIntegrationTest
class WorkerArtifactIT {

    private static final Path JAR = Path.of("target/scanflow-worker.jar");

    @Test
    void theWorkerJarHoldsOnlyTheWorkerTheProtocolAndTheirLibraries() throws Exception {
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            List<String> names = jar.stream().map(e -> e.getName()).toList();
            assertTrue(names.contains("dev/scanflow/agent/ScanWorkerMain.class"));
            assertTrue(names.contains("dev/scanflow/protocol/ScanCommand.class"));
            for (String forbidden : List.of("io/quarkus/", "org/hibernate/", "org/postgresql/", "io/vertx/",
                    "dev/scanflow/engine/", "dev/scanflow/run/", "dev/scanflow/fleet/", "dev/scanflow/pipeline/")) {
                assertTrue(names.stream().noneMatch(n -> n.startsWith(forbidden)), "the worker jar has " + forbidden);
            }
        }
    }

    @Test
    void theWorkerJarRunsAScanWithRealNmap() throws Exception {
        UUID tenant = Api.newTenant();
        String admin = TestTokens.admin(tenant);
        String id = "w-jar-" + UUID.randomUUID().toString().substring(0, 8);
        Path dir = Files.createTempDirectory("scanflow-worker-jar");
        dev.scanflow.support.Api.as(admin).contentType("application/json").body(java.util.Map.of("worker_id", id,
                "capabilities", List.of("network"), "tools", List.of("nmap"))).post("/api/v1/workers").then().statusCode(201);
        Path config = dir.resolve("worker.yaml");
        Files.writeString(config, """
                worker_id: %s
                tenant_id: %s
                nats: nats://127.0.0.1:4222
                subject_prefix: %s
                capabilities: [network]
                max_concurrency: 1
                heartbeat_seconds: 1
                workdir: %s
                tools:
                  nmap:
                    command: [nmap, -Pn, -n, -p, "{config.ports}", -oX, "{output_file}", "{target.host}"]
                    format: nmap-xml
                """.formatted(id, tenant, TestWorker.PREFIX, dir));
        Process worker = new ProcessBuilder("java", "-jar", JAR.toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("worker.log").toFile()).start();
        try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String pipeline = template(admin, """
                    name: jar-ports
                    steps:
                      - id: ports
                        tool: nmap
                        capabilities: [network]
                        config: {ports: [%d]}
                    """.formatted(open.getLocalPort()));
            String runId = trigger(admin, pipeline, asset(admin, "ip_address", "127.0.0.1", null));
            JsonPath run = awaitRun(admin, runId, Duration.ofSeconds(90), "completed");
            assertEquals(List.of(open.getLocalPort()), run.getList("step_runs[0].output.open_ports"));
            assertEquals(id, run.getString("step_runs[0].worker_id"));
        } finally {
            worker.destroy();
            worker.waitFor(10, TimeUnit.SECONDS);
            System.out.println(Files.readString(dir.resolve("worker.log")));
        }
    }
}
