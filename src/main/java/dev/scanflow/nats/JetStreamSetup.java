package dev.scanflow.nats;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.protocol.Subjects;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.jboss.logging.Logger;

/**
 * Creates the JetStream streams Scanflow uses, at start-up and after every reconnection;
 * idempotent (existing streams are updated to the configured subjects and limits).
 *
 * <ul>
 *   <li>{@code SCANFLOW_COMMANDS}: {@code scanflow.commands.>}, kept for the retention period;</li>
 *   <li>{@code SCANFLOW_RESULTS}: {@code scanflow.results.>}, read by the engine's durable consumer;</li>
 *   <li>{@code SCANFLOW_FINDINGS}: {@code scanflow.findings.>}, the findings' chunks, read by the findings consumer;</li>
 *   <li>{@code SCANFLOW_LOGS}: {@code scanflow.logs.>}, read by the log consumer;</li>
 *   <li>{@code SCANFLOW_EVENTS}: {@code scanflow.events.>}, for anyone to replay.</li>
 * </ul>
 */
@ApplicationScoped
public class JetStreamSetup {

    private static final Logger LOG = Logger.getLogger(JetStreamSetup.class);

    private final NatsClient nats;
    private final Subjects subjects;
    private final ScanflowConfig config;
    private volatile CountDownLatch ready = new CountDownLatch(1);

    public JetStreamSetup(NatsClient nats, Subjects subjects, ScanflowConfig config) {
        this.nats = nats;
        this.subjects = subjects;
        this.config = config;
    }

    void start(@Observes @jakarta.annotation.Priority(Interceptor.Priority.LIBRARY_BEFORE) StartupEvent event) {
        nats.onDisconnect(() -> {
            if (ready.getCount() == 0) {
                ready = new CountDownLatch(1);
            }
        });
        nats.onConnect(this::ensureStreams);
    }

    /** Blocks the calling (non event-loop) thread until the streams exist. */
    public boolean awaitStreams(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** True once the streams were checked on the current connection. */
    public boolean ready() {
        return ready.getCount() == 0;
    }

    void ensureStreams(Connection connection) {
        try {
            JetStreamManagement jsm = connection.jetStreamManagement();
            Duration retention = config.nats().retention();
            ensure(jsm, subjects.stream("COMMANDS"), subjects.commands(), retention);
            ensure(jsm, subjects.stream("RESULTS"), subjects.results(), retention);
            ensure(jsm, subjects.stream("LOGS"), subjects.logs(), retention);
            ensure(jsm, subjects.stream("FINDINGS"), subjects.allFindings(), retention);
            ensure(jsm, subjects.stream("EVENTS"), subjects.events(), config.nats().eventRetention());
            ensure(jsm, subjects.stream("ASSETS"), subjects.assetsDiscovered(), retention);
            ready.countDown();
        } catch (IOException | JetStreamApiException e) {
            throw new IllegalStateException("could not create the JetStream streams: " + e.getMessage(), e);
        }
    }

    private static void ensure(JetStreamManagement jsm, String name, String subject, Duration maxAge)
            throws IOException, JetStreamApiException {
        StreamConfiguration wanted = StreamConfiguration.builder()
                .name(name)
                .subjects(subject)
                .retentionPolicy(RetentionPolicy.Limits)
                .storageType(StorageType.File)
                .discardPolicy(DiscardPolicy.Old)
                .maxAge(maxAge)
                .duplicateWindow(Duration.ofMinutes(2))
                .build();
        StreamInfo existing;
        try {
            existing = jsm.getStreamInfo(name);
        } catch (JetStreamApiException e) {
            if (e.getErrorCode() == 404) {
                jsm.addStream(wanted);
                LOG.infof("created JetStream stream %s (%s)", name, subject);
                return;
            }
            throw e;
        }
        if (!existing.getConfiguration().getSubjects().equals(List.of(subject))
                || !existing.getConfiguration().getMaxAge().equals(maxAge)) {
            jsm.updateStream(wanted);
            LOG.infof("updated JetStream stream %s (%s)", name, subject);
        }
    }
}
