package dev.scanflow.agent;

import dev.scanflow.protocol.CredentialReply;
import dev.scanflow.protocol.CredentialReply.Credential;
import dev.scanflow.protocol.CredentialRequest;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.ScanCommand;
import dev.scanflow.protocol.ScanCommand.CredentialRef;
import io.nats.client.Connection;
import io.nats.client.Message;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks Scanflow for a command's credential values (protocol 2.2): a core NATS request, never
 * JetStream, on {@code <prefix>.credentials.<worker_id>}. The reply comes to the connection's
 * inbox, which the worker opens under {@code _INBOX.<worker_id>} (ScanWorker's connection), the
 * only inbox its NATS user may read. The values stay in memory for the one command.
 */
final class CredentialClient implements CredentialSource {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Connection connection;
    private final String subject;
    private final Duration timeout;

    CredentialClient(Connection connection, String subject, Duration timeout) {
        this.connection = connection;
        this.subject = subject;
        this.timeout = timeout;
    }

    @Override
    public List<Credential> fetch(ScanCommand command) throws CredentialsUnavailable {
        byte[] body = ProtocolJson.bytes(new CredentialRequest(command.id()));
        Message reply;
        long started = System.nanoTime();
        try {
            reply = connection.requestWithTimeout(subject, body, timeout)
                    .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CredentialsUnavailable("interrupted while waiting for the credentials");
        } catch (TimeoutException e) {
            throw timedOut();
        } catch (ExecutionException | CancellationException e) {
            // jnats ends a request with an exception both when its time is up (TimeoutException
            // or CancellationException, depending on its options) and at once when nobody
            // listens (NATS "no responders"): the time taken tells them apart
            if (System.nanoTime() - started >= timeout.toNanos()) {
                throw timedOut();
            }
            throw new CredentialsUnavailable("nobody answers credential requests on " + subject
                    + " (is Scanflow running, and may this worker publish there?)");
        }
        CredentialReply parsed;
        try {
            parsed = ProtocolJson.read(reply.getData(), CredentialReply.class);
        } catch (IOException e) {
            // not the parser's message: it may quote the reply, values and all
            throw new CredentialsUnavailable("the credential reply is not a CredentialReply");
        }
        return check(command, parsed);
    }

    private CredentialsUnavailable timedOut() {
        return new CredentialsUnavailable("no credential reply on " + subject + " within " + timeout.toSeconds() + " s");
    }

    /**
     * The credentials the command references, from the reply; anything else in it is dropped.
     * An error, a reply for another command, or a referenced credential without a value fails.
     */
    static List<Credential> check(ScanCommand command, CredentialReply reply) throws CredentialsUnavailable {
        if (reply == null) {
            throw new CredentialsUnavailable("the credential reply is empty");
        }
        if (reply.error() != null && !reply.error().isBlank()) {
            throw new CredentialsUnavailable("Scanflow refused the credentials: " + reply.error());
        }
        if (!command.id().equals(reply.commandId())) {
            throw new CredentialsUnavailable("the credential reply is for another command");
        }
        List<Credential> given = reply.credentials() == null ? List.of() : reply.credentials();
        List<Credential> held = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (CredentialRef ref : refs(command)) {
            Credential found = given.stream().filter(c -> ref.name().equals(c.name())
                    && (c.use() == null || Objects.equals(c.use(), ref.use()))).findFirst().orElse(null);
            if (found == null || found.value() == null || found.value().isEmpty()) {
                missing.add(ref.name() + " (" + ref.use() + ")");
            } else {
                held.add(new Credential(found.name(), found.kind() != null ? found.kind() : ref.kind(), ref.use(),
                        found.username(), found.header(), found.value()));
            }
        }
        if (!missing.isEmpty()) {
            throw new CredentialsUnavailable("Scanflow gave no value for " + String.join(", ", missing));
        }
        return held;
    }

    /** The command's credential references, those without a name left out. */
    static List<CredentialRef> refs(ScanCommand command) {
        List<CredentialRef> refs = command.payload() == null ? null : command.payload().credentials();
        return refs == null ? List.of() : refs.stream().filter(r -> r != null && r.name() != null).toList();
    }
}
