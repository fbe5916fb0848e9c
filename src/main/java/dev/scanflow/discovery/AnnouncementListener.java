package dev.scanflow.discovery;

import dev.scanflow.asset.AssetAnnouncements;
import dev.scanflow.asset.AssetInput;
import dev.scanflow.common.ApiException;
import dev.scanflow.nats.DurableConsumer;
import dev.scanflow.nats.JetStreamSetup;
import dev.scanflow.nats.NatsClient;
import dev.scanflow.protocol.AssetAnnouncement;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.Subjects;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Message;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Assets discovery tools announce on {@code <prefix>.assets.discovered.<tenant_id>} (a durable
 * JetStream consumer: nothing announced while Scanflow is down is lost): each is upserted with
 * its announcement ({@link AssetAnnouncements}) and acknowledged after the commit. An
 * announcement that cannot be an asset is dropped, logged and counted; a database failure is
 * redelivered.
 */
@ApplicationScoped
public class AnnouncementListener {

    private static final Logger LOG = Logger.getLogger(AnnouncementListener.class);

    private final AssetAnnouncements announcements;
    private final Subjects subjects;
    private final MeterRegistry metrics;
    private final DurableConsumer consumer;

    public AnnouncementListener(AssetAnnouncements announcements, Subjects subjects, MeterRegistry metrics, NatsClient nats,
            JetStreamSetup setup) {
        this.announcements = announcements;
        this.subjects = subjects;
        this.metrics = metrics;
        this.consumer = new DurableConsumer("scanflow-discovery", nats, setup, subjects.stream("ASSETS"),
                subjects.assetsDiscovered(), 64, Duration.ofSeconds(30), true, this::handle);
    }

    void start(@Observes StartupEvent event) {
        consumer.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        consumer.stop();
    }

    CompletableFuture<List<DurableConsumer.Outcome>> handle(List<Message> batch) {
        return Multi.createFrom().iterable(batch)
                .onItem().transformToUniAndConcatenate(this::one)
                .collect().asList()
                .subscribeAsCompletionStage();
    }

    private Uni<DurableConsumer.Outcome> one(Message m) {
        UUID tenant = subjects.tenantOfDiscovery(m.getSubject());
        AssetAnnouncement a;
        try {
            if (tenant == null) {
                throw new IllegalArgumentException("the subject must be " + subjects.assetsDiscovered(UUID.fromString(
                        "00000000-0000-0000-0000-000000000000")).replace("00000000-0000-0000-0000-000000000000",
                                "<tenant_id>"));
            }
            a = ProtocolJson.read(m.getData(), AssetAnnouncement.class);
            if (a == null) {
                throw new IllegalArgumentException("the message is not a JSON object");
            }
        } catch (Exception e) {
            return Uni.createFrom().item(drop(m, e.getMessage()));
        }
        String source = a.source() == null || a.source().isBlank() ? "nats" : clip(a.source());
        return announcements.announce(tenant, new AssetInput(a.type(), a.name(), a.url(), a.tags(), a.criticality(),
                        a.properties()), source)
                .map(announced -> {
                    metrics.counter("scanflow.assets.announced", "created", String.valueOf(announced.created())).increment();
                    return DurableConsumer.Outcome.DONE;
                })
                .onFailure(ApiException.class).recoverWithItem(e -> drop(m, e.getMessage()))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("asset announcement on %s not stored, will be redelivered: %s", m.getSubject(), e.toString());
                    return DurableConsumer.Outcome.RETRY;
                });
    }

    private DurableConsumer.Outcome drop(Message m, String why) {
        metrics.counter("scanflow.assets.announcements.rejected").increment();
        LOG.warnf("asset announcement on %s dropped: %s", m.getSubject(), why);
        return DurableConsumer.Outcome.DROP;
    }

    private static String clip(String s) {
        String clean = s.replaceAll("[^\\x21-\\x7E]", "");
        return clean.length() > 64 ? clean.substring(0, 64) : clean;
    }
}
