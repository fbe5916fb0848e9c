package dev.scanflow.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.protocol.Heartbeat;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.StatusReport;
import dev.scanflow.protocol.Subjects;
import dev.scanflow.support.LocalProcesses;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A real nats-server configured with the entries that registrations answer
 * ({@link NatsAccess#serverConfig}): a worker signs in with its nkey and can beat, report and
 * read commands only as itself. What it tries as another worker never reaches Scanflow.
 */
class NatsPermissionsTest {

    private static final Subjects SUBJECTS = Subjects.defaults();

    @Test
    void aWorkerCannotBeatReportOrReadCommandsAsAnother() throws Exception {
        NatsAccess a = NatsAccess.issue("w-a", SUBJECTS);
        NatsAccess b = NatsAccess.issue("w-b", SUBJECTS);
        String config = """
                authorization {
                  users = [
                    { user: scanflow, password: s3cret, permissions: {
                        publish: ["scanflow.commands.>", "scanflow.events.>", "$JS.API.>", "$JS.ACK.>"],
                        subscribe: ["scanflow.>", "_INBOX.>", "$JS.API.>"] } }
                    %s
                    %s
                  ]
                }
                """.formatted(a.serverConfig(), b.serverConfig());
        try (var nats = new LocalProcesses.NatsServer().withConfig(config).start();
                Connection scanflow = Nats.connect(new Options.Builder().server(nats.url()).userInfo("scanflow", "s3cret").build())) {
            scanflow.jetStreamManagement().addStream(StreamConfiguration.builder().name(SUBJECTS.stream("RESULTS"))
                    .subjects(SUBJECTS.results()).build());
            List<String> seen = new CopyOnWriteArrayList<>();
            scanflow.createDispatcher(m -> seen.add(m.getSubject())).subscribe("scanflow.>");
            scanflow.flush(Duration.ofSeconds(2));

            List<String> refused = new CopyOnWriteArrayList<>();
            Options asA = new Options.Builder().server(nats.url())
                    .authHandler(Nats.staticCredentials(null, a.seed().toCharArray()))
                    .inboxPrefix(a.inboxPrefix())
                    .errorListener(new ErrorListener() {
                        @Override
                        public void errorOccurred(Connection conn, String error) {
                            refused.add(error);
                        }
                    })
                    .build();
            try (Connection workerA = Nats.connect(asA)) {
                byte[] beat = ProtocolJson.bytes(new Heartbeat("w-b", null, List.of("x"), List.of(), 1, 0, "forged"));
                workerA.publish(SUBJECTS.heartbeat("w-b"), beat);
                workerA.publish(SUBJECTS.result("w-b"), ProtocolJson.bytes(StatusReport.running("c1", "w-b")));
                workerA.publish("scanflow.workers.heartbeat", beat);
                workerA.createDispatcher(m -> seen.add("A READ " + m.getSubject())).subscribe(SUBJECTS.command("w-b"));
                workerA.flush(Duration.ofSeconds(2));
                scanflow.publish(SUBJECTS.command("w-b"), "{}".getBytes(StandardCharsets.UTF_8));

                // its own subjects work, JetStream publishes included (acks under its inbox prefix)
                workerA.publish(SUBJECTS.heartbeat("w-a"), ProtocolJson.bytes(
                        new Heartbeat("w-a", null, List.of("x"), List.of(), 1, 0, "real")));
                workerA.jetStream().publish(SUBJECTS.result("w-a"), ProtocolJson.bytes(StatusReport.running("c2", "w-a")));

                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(SUBJECTS.result("w-a"))
                        && refused.size() >= 4);
                assertEquals(List.of(SUBJECTS.heartbeat("w-a"), SUBJECTS.result("w-a")),
                        seen.stream().filter(s -> !s.startsWith("scanflow.commands.")).toList(),
                        "Scanflow saw only what w-a may publish as itself");
                assertTrue(seen.stream().noneMatch(s -> s.startsWith("A READ")), "w-a read w-b's command: " + seen);
                assertTrue(refused.stream().allMatch(e -> e.contains("Permissions Violation")), refused.toString());
                assertTrue(refused.stream().anyMatch(e -> e.contains("scanflow.commands.w-b")), refused.toString());
            }
        }
    }

    /**
     * Credentials (protocol 2.2): a worker asks on its own subject only, and Scanflow, with
     * {@code allow_responses}, answers on the request's reply subject, under that worker's inbox.
     */
    @Test
    void aWorkerAsksForCredentialsOnlyAsItselfAndOnlyItGetsTheAnswer() throws Exception {
        NatsAccess a = NatsAccess.issue("w-a", SUBJECTS);
        NatsAccess b = NatsAccess.issue("w-b", SUBJECTS);
        String config = """
                authorization {
                  users = [
                    { user: scanflow, password: s3cret, permissions: {
                        publish: ["scanflow.commands.>", "scanflow.events.>", "$JS.API.>", "$JS.ACK.>"],
                        subscribe: ["scanflow.>", "_INBOX.>", "$JS.API.>"],
                        allow_responses: true } }
                    %s
                    %s
                  ]
                }
                """.formatted(a.serverConfig(), b.serverConfig());
        List<String> refused = new CopyOnWriteArrayList<>();
        ErrorListener errors = new ErrorListener() {
            @Override
            public void errorOccurred(Connection conn, String error) {
                refused.add(error);
            }
        };
        try (var nats = new LocalProcesses.NatsServer().withConfig(config).start();
                Connection scanflow = Nats.connect(new Options.Builder().server(nats.url()).userInfo("scanflow", "s3cret")
                        .errorListener(errors).build());
                Connection workerA = Nats.connect(new Options.Builder().server(nats.url())
                        .authHandler(Nats.staticCredentials(null, a.seed().toCharArray())).inboxPrefix(a.inboxPrefix())
                        .errorListener(errors).build())) {
            List<String> asked = new CopyOnWriteArrayList<>();
            scanflow.createDispatcher(m -> {
                asked.add(m.getSubject());
                scanflow.publish(m.getReplyTo(), ("for " + m.getSubject()).getBytes(StandardCharsets.UTF_8));
            }).subscribe(SUBJECTS.credentialRequests(), "scanflow-credentials");
            scanflow.flush(Duration.ofSeconds(2));

            var answer = workerA.request(SUBJECTS.credentials("w-a"), "{}".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(5));
            assertEquals("for scanflow.credentials.w-a", new String(answer.getData(), StandardCharsets.UTF_8));
            assertTrue(answer.getSubject().startsWith("_INBOX.w-a."), answer.getSubject());

            workerA.publish(SUBJECTS.credentials("w-b"), "{}".getBytes(StandardCharsets.UTF_8));
            scanflow.publish("_INBOX.w-a.unasked", "x".getBytes(StandardCharsets.UTF_8));
            workerA.flush(Duration.ofSeconds(2));
            scanflow.flush(Duration.ofSeconds(2));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> refused.size() >= 2);
            assertEquals(List.of(SUBJECTS.credentials("w-a")), asked, "w-a cannot ask as w-b");
            assertTrue(refused.stream().anyMatch(e -> e.contains("scanflow.credentials.w-b")), refused.toString());
            assertTrue(refused.stream().anyMatch(e -> e.contains("_INBOX.w-a.unasked")),
                    "Scanflow answers requests, it cannot write to inboxes at will: " + refused);
        }
    }

    @Test
    void theServerConfigurationEntryGrantsExactlyTheWorkersOwnSubjects() {
        NatsAccess access = NatsAccess.issue("w-nmap-1", SUBJECTS);
        assertTrue(access.nkey().startsWith("U") && access.seed().startsWith("SU"));
        assertEquals(List.of("scanflow.workers.heartbeat.w-nmap-1", "scanflow.results.w-nmap-1", "scanflow.logs.w-nmap-1",
                "scanflow.findings.w-nmap-1", "scanflow.credentials.w-nmap-1"), access.publish());
        assertEquals(List.of("scanflow.commands.w-nmap-1", "_INBOX.w-nmap-1.>"), access.subscribe());
        assertEquals("_INBOX.w-nmap-1", access.inboxPrefix());
        assertTrue(access.serverConfig().contains("nkey: " + access.nkey()));
        NatsAccess shown = NatsAccess.of("w-nmap-1", SUBJECTS, access.nkey(), null);
        assertEquals(null, shown.seed(), "the seed is never shown again");
    }
}
