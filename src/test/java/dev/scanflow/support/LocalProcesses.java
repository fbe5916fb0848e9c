package dev.scanflow.support;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * Real processes for tests that restart things: the packaged service, a private nats-server,
 * a database of their own. Nothing here is shared with the other tests.
 */
public final class LocalProcesses {

    private LocalProcesses() {
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The environment of a packaged service on its own database and NATS, with the dev key pair. */
    public static java.util.Map<String, String> serviceEnv(String database, String natsUrl, String... extra) {
        java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of(
                "QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:5432/" + database,
                "QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/" + database,
                "QUARKUS_MESSAGING_NATS_CONNECTION_SERVERS", natsUrl,
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION", "dev/keys/jwt-public.pem",
                "MP_JWT_VERIFY_ISSUER", "scanflow-dev"));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    /** Drops and creates a database on the local PostgreSQL. */
    public static void freshDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            c.createStatement().execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            c.createStatement().execute("CREATE DATABASE " + name);
        }
    }

    /** A nats-server with JetStream on its own port and store. */
    public static final class NatsServer implements AutoCloseable {
        public final int port;
        private final Path store;
        private Path config;
        private Process process;

        public NatsServer() throws IOException {
            this.port = freePort();
            this.store = Files.createTempDirectory("scanflow-it-nats");
        }

        /** Runs the server with this configuration (users, permissions) besides the port and store. */
        public NatsServer withConfig(String text) throws IOException {
            this.config = store.resolve("nats-server.conf");
            Files.writeString(config, text);
            return this;
        }

        public String url() {
            return "nats://127.0.0.1:" + port;
        }

        public NatsServer start() throws IOException {
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("nats-server", "-a", "127.0.0.1",
                    "-p", String.valueOf(port), "-js", "-sd", store.toString()));
            if (config != null) {
                command.addAll(java.util.List.of("-c", config.toString()));
            }
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(new File("target/it-nats-" + port + ".log"))
                    .start();
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> listening(port));
            return this;
        }

        public void stop() throws InterruptedException {
            if (process != null) {
                process.destroy();
                process.waitFor();
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !listening(port));
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }

    /** The packaged service (target/quarkus-app), started as its own JVM. */
    public static final class Service implements AutoCloseable {
        public final int port;
        private final Map<String, String> env;
        private Process process;
        private int starts;

        public Service(Map<String, String> env) throws IOException {
            this.port = freePort();
            this.env = env;
        }

        public String base() {
            return "http://127.0.0.1:" + port;
        }

        public Service start() throws IOException {
            launch();
            awaitReady();
            return this;
        }

        /** Starts the process without waiting (to start several at once). */
        public Service launch() throws IOException {
            Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException("package the service first (./mvnw package)");
            }
            ProcessBuilder pb = new ProcessBuilder("java", "-jar", jar.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(new File("target/it-service-" + port + "-" + (++starts) + ".log"));
            pb.environment().putAll(env);
            pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
            process = pb.start();
            return this;
        }

        public Service awaitReady() {
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> ready(base() + "/q/health/ready") || !process.isAlive());
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + "; see target/it-service-"
                        + port + "-" + starts + ".log");
            }
            return this;
        }

        /** A counter from /q/metrics, summed over its tags. */
        public double metric(String name) throws IOException {
            HttpURLConnection c = (HttpURLConnection) URI.create(base() + "/q/metrics").toURL().openConnection();
            String text = new String(c.getInputStream().readAllBytes());
            return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        }

        /** kill -9: no shutdown hooks, whatever was in flight is cut. */
        public void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        @Override
        public void close() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroy();
                process.waitFor();
            }
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean ready(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** A development token from bin/mint-token (the dev key pair). */
    public static String mintToken(java.util.UUID tenant, String role) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bin/mint-token", "--tenant", tenant.toString(), "--role", role).start();
        String token = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("bin/mint-token failed: " + new String(p.getErrorStream().readAllBytes()));
        }
        return token;
    }
}
