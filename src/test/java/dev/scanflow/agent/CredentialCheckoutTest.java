package dev.scanflow.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.scanflow.protocol.CredentialReply;
import dev.scanflow.protocol.CredentialReply.Credential;
import dev.scanflow.protocol.CredentialRequest;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.Subjects;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scan credentials end to end on the worker's side, with everything real but Scanflow: the
 * reference worker on the real NATS server gets the values through a real request answered by
 * a responder on {@code <prefix>.credentials.<worker>} (the service's listener is tested on its
 * own), clones from a real git HTTP server ({@code git http-backend}) that wants the token, and
 * runs real curl and ffuf against an HTTP server that wants an API key. The test reads what the
 * worker publishes (logs, results), what it prints, and {@code ps} while git runs: no form of a
 * value anywhere.
 */
class CredentialCheckoutTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "credtest" + UUID.randomUUID().toString().substring(0, 6);
    private static final Subjects SUBJECTS = new Subjects(PREFIX, PREFIX.toUpperCase());
    private static Connection nats;

    private final List<JsonNode> results = new CopyOnWriteArrayList<>();
    private final List<String> published = new CopyOnWriteArrayList<>();
    private final List<JsonNode> logs = new CopyOnWriteArrayList<>();
    private final List<String> replySubjects = new CopyOnWriteArrayList<>();
    private final List<String> requested = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private volatile Function<String, CredentialReply> answer = id -> null;
    private PrintStream stderr;
    private Dispatcher responder;
    private ScanWorker worker;
    private String workerId;
    private Path tmp;
    private Path workdir;

    @BeforeAll
    static void streams() throws Exception {
        nats = Nats.connect("nats://127.0.0.1:4222");
        WorkerStreams.create(nats, SUBJECTS);
    }

    @AfterAll
    static void dropStreams() throws Exception {
        WorkerStreams.drop(nats, SUBJECTS);
        nats.close();
    }

    @BeforeEach
    void startWorker(@TempDir Path tmp) throws Exception {
        this.tmp = tmp;
        workdir = Files.createDirectories(tmp.resolve("work"));
        workerId = "w-cred-" + UUID.randomUUID().toString().substring(0, 8);
        Dispatcher d = nats.createDispatcher(msg -> {
            String body = new String(msg.getData(), StandardCharsets.UTF_8);
            published.add(body);
            try {
                (msg.getSubject().contains(".results.") ? results : logs).add(JSON.readTree(body));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        d.subscribe(SUBJECTS.result(workerId));
        d.subscribe(SUBJECTS.log(workerId));
        responder = nats.createDispatcher(msg -> {
            replySubjects.add(msg.getReplyTo());
            try {
                String commandId = ProtocolJson.read(msg.getData(), CredentialRequest.class).commandId();
                requested.add(commandId);
                CredentialReply reply = answer.apply(commandId);
                if (reply != null) {
                    nats.publish(msg.getReplyTo(), ProtocolJson.bytes(reply));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        responder.subscribe(SUBJECTS.credentials(workerId));
        Path tools = Files.createDirectories(tmp.resolve("tools"));
        Files.writeString(tools.resolve("list.sh"), "ls -A \"$1\"\n");
        Files.writeString(tools.resolve("leak.sh"), String.join("\n",
                "key=$(sed -n 's/^X-API-Key: //p' \"$SCANFLOW_AUTH_HEADER_FILE\")",
                "cat \"$SCANFLOW_AUTH_HEADER_FILE\"",
                "echo \"plain $key\"",
                "echo \"base64 $(printf '%s' \"$key\" | base64 -w0)\"",
                "echo \"base64url $(printf '%s' \"$key\" | base64 -w0 | tr '+/' '-_' | tr -d '=')\"",
                "echo \"basic $(printf 'someone:%s' \"$key\" | base64 -w0)\"",
                "echo \"giving up on $key\" >&2",
                "exit 3", ""));
        Files.writeString(tools.resolve("words"), "admin\nnothing\n");
        WorkerConfig config = new WorkerConfig(workerId, null, "nats://127.0.0.1:4222", PREFIX, List.of("sast"), 3, 1,
                workdir.toString(), Map.of(
                        "lister", new WorkerConfig.ToolConfig(List.of("bash", tools + "/list.sh", "{source_dir}"), "none",
                                null, null),
                        "leaky", new WorkerConfig.ToolConfig(List.of("bash", tools + "/leak.sh"), "none", null, null),
                        "swagger", new WorkerConfig.ToolConfig(List.of("curl", "--fail", "--silent", "--show-error",
                                "-H@{auth.header_file[]}", "--output", "{output_file}", "{target.url}/openapi.json"),
                                "openapi", null, null),
                        "ffuf", new WorkerConfig.ToolConfig(List.of("ffuf", "-request", "{auth.ffuf_request}",
                                "-request-proto", "{target.scheme}", "-w", tools + "/words", "-mc", "200", "-of", "json",
                                "-o", "{output_file}", "-s"), "ffuf-json", null, null)));
        stderr = System.err;
        System.setErr(new PrintStream(new TeeStream(stderr, printed), true, StandardCharsets.UTF_8));
        worker = new ScanWorker(config, Duration.ofSeconds(2)).start();
    }

    @AfterEach
    void stopWorker() throws Exception {
        worker.close();
        System.setErr(stderr);
    }

    private String send(String tool, Map<String, Object> target, List<Map<String, String>> credentials) throws Exception {
        String id = UUID.randomUUID().toString();
        Map<String, Object> payload = new LinkedHashMap<>(Map.of("pipeline_run_id", UUID.randomUUID().toString(),
                "step_id", "s", "step_config", Map.of("tool", tool), "target", target, "context", Map.of(),
                "upstream", Map.of()));
        payload.put("credentials", credentials);
        Map<String, Object> cmd = Map.of("id", id, "type", "scan", "priority", "normal", "tenant_id",
                UUID.randomUUID().toString(), "attempt", 1, "timeout_seconds", 120, "payload", payload);
        nats.publish(SUBJECTS.command(workerId), JSON.writeValueAsBytes(cmd));
        return id;
    }

    private JsonNode awaitResult(String commandId, String status) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> results.stream()
                .anyMatch(r -> r.path("command_id").asText().equals(commandId) && r.path("status").asText().equals(status)));
        return results.stream().filter(r -> r.path("command_id").asText().equals(commandId)
                && r.path("status").asText().equals(status)).findFirst().orElseThrow();
    }

    private List<String> logLines(String commandId) {
        return logs.stream().filter(l -> l.path("command_id").asText().equals(commandId))
                .map(l -> l.path("line").asText()).toList();
    }

    /** The forms of a value a leak would most likely take, and the Basic header git sends. */
    private static List<String> forms(String value, String user) {
        String form = URLEncoder.encode(value, StandardCharsets.UTF_8);
        List<String> forms = new ArrayList<>(List.of(value, form, form.replace("+", "%20")));
        for (String s : List.of(value, user + ":" + value)) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            forms.add(Base64.getEncoder().encodeToString(bytes));
            forms.add(Base64.getEncoder().withoutPadding().encodeToString(bytes));
            forms.add(Base64.getUrlEncoder().encodeToString(bytes));
            forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        }
        return forms;
    }

    /** Everything the worker published on NATS and printed: none of the forms in it. */
    private void assertNowhere(List<String> forms) {
        Awaitility.await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
        String out = printed.toString(StandardCharsets.UTF_8);
        assertFalse(published.isEmpty());
        for (String f : forms) {
            for (String message : published) {
                assertFalse(message.contains(f), "published: " + message);
            }
            assertFalse(out.contains(f), "printed: " + out);
        }
    }

    private void assertNoCredentialFilesLeft() throws Exception {
        try (var left = Files.list(workdir)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static Credential gitToken(String value) {
        return new Credential("github-ci", "git_token", "checkout", null, null, value);
    }

    private static final List<Map<String, String>> CHECKOUT = List.of(
            Map.of("name", "github-ci", "kind", "git_token", "use", "checkout"));

    @Test
    void aPrivateRepositoryIsClonedWithTheTokenThatNoOneSees() throws Exception {
        String token = "ghp_" + UUID.randomUUID().toString().replace("-", "") + "/+Z";
        Path root = Files.createDirectories(tmp.resolve("git"));
        GitHttpServer.bareRepository(root, "app.git", tmp.resolve("origin"), Map.of("README.md", "hello", "app.py", "x"));
        answer = id -> new CredentialReply(id, List.of(gitToken(token)), null);
        try (GitHttpServer git = new GitHttpServer(root, token, 300)) {
            PsSampler ps = new PsSampler();
            ps.start();
            String id = send("lister", Map.of("type", "repository", "name", "acme/app", "url", git.url("app.git")),
                    CHECKOUT);
            awaitResult(id, "completed");
            ps.stop();
            // ps saw git at work, and never the token
            assertTrue(ps.samples.stream().anyMatch(s -> s.contains("git-remote-http") || s.contains("git clone")),
                    "ps never saw git: " + ps.samples.size() + " samples");
            for (String f : forms(token, GitAccess.DEFAULT_USERNAME)) {
                assertTrue(ps.samples.stream().noneMatch(s -> s.contains(f)), "ps showed " + f);
            }
            List<String> lines = logLines(id);
            assertTrue(lines.contains("README.md") && lines.contains("app.py"), lines.toString());
            assertTrue(lines.contains("credentials: github-ci (git_token, checkout)"), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("$ git clone --depth 1 --quiet -- " + git.url("app.git"))),
                    lines.toString());
            // the server wanted the token (a 401 first) and got it; the reply came to the worker's own inbox
            assertTrue(git.requests.stream().anyMatch(r -> r.endsWith(" 401")), git.requests.toString());
            assertTrue(git.requests.stream().anyMatch(r -> r.startsWith("POST ") && r.endsWith(" 200")), git.requests.toString());
            assertEquals(List.of(id), requested);
            assertTrue(replySubjects.get(0).startsWith("_INBOX." + workerId + "."), replySubjects.toString());
            assertNowhere(forms(token, GitAccess.DEFAULT_USERNAME));
            assertNoCredentialFilesLeft();
        }
    }

    @Test
    void aWrongTokenFailsTheCheckoutAndNeitherTokenShows() throws Exception {
        String token = "ghp_" + UUID.randomUUID().toString().replace("-", "");
        String wrong = "ghp_" + UUID.randomUUID().toString().replace("-", "");
        Path root = Files.createDirectories(tmp.resolve("git"));
        GitHttpServer.bareRepository(root, "app.git", tmp.resolve("origin"), Map.of("README.md", "hello"));
        answer = id -> new CredentialReply(id, List.of(gitToken(wrong)), null);
        try (GitHttpServer git = new GitHttpServer(root, token, 0)) {
            String id = send("lister", Map.of("type", "repository", "name", "acme/app", "url", git.url("app.git")),
                    CHECKOUT);
            JsonNode failed = awaitResult(id, "failed");
            assertEquals("CHECKOUT_FAILED", failed.path("error").path("code").asText());
            String message = failed.path("error").path("message").asText();
            assertTrue(message.contains("git clone") && message.contains("Authentication failed"), message);
            assertTrue(git.requests.stream().allMatch(r -> r.endsWith(" 401")), git.requests.toString());
            List<String> both = new ArrayList<>(forms(token, GitAccess.DEFAULT_USERNAME));
            both.addAll(forms(wrong, GitAccess.DEFAULT_USERNAME));
            assertNowhere(both);
            assertNoCredentialFilesLeft();
        }
    }

    @Test
    void withoutItsCredentialsAStepFailsClearlyAndRunsNothing() throws Exception {
        Map<String, Object> target = Map.of("type", "repository", "name", "acme/app", "url", "http://127.0.0.1:9/app.git");
        // refused by Scanflow
        answer = id -> new CredentialReply(id, null, "credential github-ci does not admit this target");
        String refused = send("lister", target, CHECKOUT);
        JsonNode error = awaitResult(refused, "failed").path("error");
        assertEquals(CredentialsUnavailable.CODE, error.path("code").asText());
        assertEquals("Scanflow refused the credentials: credential github-ci does not admit this target",
                error.path("message").asText());
        // no answer within the worker's wait (2 s here)
        answer = id -> null;
        String silent = send("lister", target, CHECKOUT);
        error = awaitResult(silent, "failed").path("error");
        assertEquals(CredentialsUnavailable.CODE, error.path("code").asText());
        assertEquals("no credential reply on " + SUBJECTS.credentials(workerId) + " within 2 s",
                error.path("message").asText());
        // nobody listening at all
        responder.unsubscribe(SUBJECTS.credentials(workerId));
        String nobody = send("lister", target, CHECKOUT);
        error = awaitResult(nobody, "failed").path("error");
        assertEquals(CredentialsUnavailable.CODE, error.path("code").asText());
        assertTrue(error.path("message").asText().startsWith("nobody answers credential requests"), error.toString());
        for (String id : List.of(refused, silent, nobody)) {
            assertTrue(logLines(id).stream().noneMatch(l -> l.startsWith("$ ")), logLines(id).toString());
            assertTrue(results.stream().noneMatch(r -> r.path("command_id").asText().equals(id)
                    && r.path("status").asText().equals("running")));
        }
        assertNoCredentialFilesLeft();
    }

    @Test
    void targetCredentialsReachCurlAndFfufInFilesAndLeakNowhere() throws Exception {
        String key = "k_" + UUID.randomUUID().toString().replace("-", "") + "+/=";
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        api.createContext("/", exchange -> {
            try (exchange) {
                boolean in = key.equals(exchange.getRequestHeaders().getFirst("X-API-Key"));
                String path = exchange.getRequestURI().getPath();
                seen.add(path + (in ? " 200" : " 401"));
                byte[] body = "{\"openapi\":\"3.0.0\",\"info\":{\"title\":\"t\",\"version\":\"1\"},\"paths\":{\"/pets\":{\"get\":{}}}}"
                        .getBytes(StandardCharsets.UTF_8);
                int status = !in ? 401 : path.equals("/api/openapi.json") ? 200 : path.equals("/api/admin") ? 200 : 404;
                exchange.sendResponseHeaders(status, status == 200 ? body.length : -1);
                if (status == 200) {
                    exchange.getResponseBody().write(body);
                }
            }
        });
        api.start();
        answer = id -> new CredentialReply(id, List.of(new Credential("staging-api", "api_key", "target", null, null, key)),
                null);
        List<Map<String, String>> credentials = List.of(Map.of("name", "staging-api", "kind", "api_key", "use", "target"));
        Map<String, Object> target = Map.of("type", "web_application", "name", "staging",
                "url", "http://127.0.0.1:" + api.getAddress().getPort() + "/api");
        try {
            JsonNode discovered = awaitResult(send("swagger", target, credentials), "completed");
            assertEquals(1, discovered.path("result").path("output").path("endpoint_count").asInt(), discovered.toString());
            JsonNode fuzzed = awaitResult(send("ffuf", target, credentials), "completed");
            assertEquals("[\"/api/admin\"]", fuzzed.path("result").path("output").path("paths").toString());
            assertTrue(seen.contains("/api/openapi.json 200") && seen.contains("/api/admin 200"), seen.toString());
            assertTrue(seen.stream().noneMatch(s -> s.endsWith(" 401")), seen.toString());

            // a tool that prints the key every way it can, and dies with it on stderr
            String leaky = send("leaky", target, credentials);
            JsonNode failed = awaitResult(leaky, "failed");
            assertEquals("EXIT_3", failed.path("error").path("code").asText());
            assertTrue(failed.path("error").path("message").asText().endsWith("giving up on [REDACTED:staging-api]"),
                    failed.toString());
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> logLines(leaky).size() >= 7);
            List<String> lines = logLines(leaky);
            assertTrue(lines.containsAll(List.of("X-API-Key: [REDACTED:staging-api]", "plain [REDACTED:staging-api]",
                    "base64 [REDACTED:staging-api]", "base64url [REDACTED:staging-api]")), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.matches("basic [A-Za-z0-9+/]{0,12}\\[REDACTED:staging-api].{0,4}")),
                    lines.toString());
            assertNowhere(forms(key, "someone"));
            assertNoCredentialFilesLeft();
        } finally {
            api.stop(0);
        }
    }

    /** {@code ps -eo args} (at full width) as often as it runs, until stopped. */
    private static final class PsSampler {

        final List<String> samples = new CopyOnWriteArrayList<>();
        private volatile boolean running = true;
        private Thread thread;

        void start() {
            thread = new Thread(() -> {
                while (running) {
                    try {
                        Process p = new ProcessBuilder("ps", "-eww", "-o", "args").redirectErrorStream(true).start();
                        samples.add(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                        p.waitFor(5, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "ps-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }

    /** Copies what the worker prints to the real stderr and keeps it for the test. */
    private static final class TeeStream extends java.io.OutputStream {

        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
