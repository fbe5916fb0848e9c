package dev.scanflow.credential;

import dev.scanflow.engine.CommandOutbox;
import dev.scanflow.nats.NatsClient;
import dev.scanflow.protocol.CredentialRequest;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.Subjects;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Answers workers' {@link CredentialRequest}s: a core NATS subscription (no stream keeps a
 * request or a reply) on {@code <prefix>.credentials.*} in the queue group
 * {@value #QUEUE_GROUP}, so one replica answers each. The reply goes only to a subject under the
 * requesting worker's own inbox ({@code _INBOX.<worker_id>.}), which NATS lets only that worker
 * read; a request asking for its reply anywhere else is ignored, since the reply would hold
 * secrets. The checks are {@link CredentialRelease}'s; the command is read through the engine's
 * {@link CommandOutbox#issuedScan}. The NATS callback only starts the work: the lookups run on
 * the reactive client, nothing blocks. The log names commands, workers and credentials, never a
 * value.
 */
@ApplicationScoped
public class CredentialListener {

    static final String QUEUE_GROUP = "scanflow-credentials";
    private static final Logger LOG = Logger.getLogger(CredentialListener.class);

    private final NatsClient nats;
    private final Subjects subjects;
    private final CommandOutbox commands;
    private final Credentials credentials;
    private final Pool pool;
    private final MeterRegistry metrics;
    /** The subscription (jnats restores it after reconnections by itself). */
    private Dispatcher dispatcher;

    public CredentialListener(NatsClient nats, Subjects subjects, CommandOutbox commands, Credentials credentials,
            Pool pool, MeterRegistry metrics) {
        this.nats = nats;
        this.subjects = subjects;
        this.commands = commands;
        this.credentials = credentials;
        this.pool = pool;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        nats.onConnect(connection -> {
            synchronized (this) {
                if (dispatcher == null) {
                    dispatcher = connection.createDispatcher(m -> onRequest(connection, m));
                    dispatcher.subscribe(subjects.credentialRequests(), QUEUE_GROUP);
                }
            }
        });
    }

    void onRequest(Connection connection, Message m) {
        String worker = subjects.workerOfCredentialRequest(m.getSubject());
        String replyTo = m.getReplyTo();
        if (worker == null || replyTo == null || !replyTo.startsWith(subjects.inbox(worker) + ".")) {
            count("unanswerable");
            LOG.warnf("a credential request on %s wants its reply on %s, not under the worker's own inbox (%s.): ignored",
                    m.getSubject(), replyTo, worker == null ? "_INBOX.<worker_id>" : subjects.inbox(worker));
            return;
        }
        String commandId;
        UUID id;
        try {
            commandId = ProtocolJson.read(m.getData(), CredentialRequest.class).commandId();
            id = UUID.fromString(commandId);
        } catch (Exception e) {
            reply(connection, replyTo, worker, CredentialRelease.refuse(null, "unreadable request: send "
                    + "{\"command_id\": \"<the scan command's id>\"}"), null);
            return;
        }
        answer(worker, commandId, id).subscribe().with(
                outcome -> reply(connection, replyTo, worker, outcome, commandId),
                failure -> {
                    LOG.warnf("credential request of worker %s for command %s not answered: %s", worker, commandId,
                            failure.toString());
                    reply(connection, replyTo, worker, CredentialRelease.refuse(commandId,
                            "credentials are unavailable right now; try again"), commandId);
                });
    }

    Uni<CredentialRelease.Outcome> answer(String worker, String commandId, UUID id) {
        return commands.issuedScan(pool, id).chain(issued -> {
            if (issued == null || !worker.equals(issued.workerId()) || !issued.stepActive()) {
                return Uni.createFrom().item(CredentialRelease.decide(worker, commandId, issued, java.util.Map.of(),
                        Instant.now(), credentials::open));
            }
            var names = CredentialRelease.references(issued).stream().map(r -> r.name()).distinct().toList();
            return credentials.stored(issued.tenantId(), names)
                    .map(stored -> CredentialRelease.decide(worker, commandId, issued, stored, Instant.now(),
                            credentials::open));
        });
    }

    private void reply(Connection connection, String replyTo, String worker, CredentialRelease.Outcome outcome,
            String commandId) {
        if (outcome.refusal() == null) {
            count("released");
            LOG.infof("scan credentials %s released to worker %s for command %s", outcome.released(), worker, commandId);
        } else {
            count("refused");
            LOG.warnf("credential request of worker %s for command %s refused: %s", worker, commandId, outcome.refusal());
        }
        try {
            connection.publish(replyTo, ProtocolJson.bytes(outcome.reply()));
        } catch (RuntimeException e) {
            LOG.warnf("credential reply to worker %s for command %s not sent: %s", worker, commandId, e.toString());
        }
    }

    private void count(String outcome) {
        metrics.counter("scanflow.credentials.requests", "outcome", outcome).increment();
    }
}
