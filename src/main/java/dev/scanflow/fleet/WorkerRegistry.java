package dev.scanflow.fleet;

import dev.scanflow.auth.TenantRegistry;
import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.engine.CapacityFreed;
import dev.scanflow.engine.WorkerSlots;
import dev.scanflow.nats.NatsClient;
import dev.scanflow.protocol.Heartbeat;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.Subjects;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Dispatcher;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Heartbeats (protocol 2): each worker beats on its own subject
 * {@code <prefix>.workers.heartbeat.<id>}, which NATS permissions can bind to the worker's user.
 * A heartbeat refreshes only a registered worker, and only within its registration: the tenant
 * must be the registered one, the capabilities and tools a subset of the registered ones.
 * Anything else is refused and counted by reason
 * ({@code scanflow_workers_heartbeats_rejected_total}). A concurrency above the registered one
 * is granted only up to it (both are kept, and a WARN says so). With open registration (development)
 * an unknown worker's first heartbeat registers it. {@link WorkerLiveness} marks silent workers
 * offline; a worker coming online is capacity for waiting steps ({@link CapacityFreed}).
 */
@ApplicationScoped
public class WorkerRegistry {

    private static final Logger LOG = Logger.getLogger(WorkerRegistry.class);

    /**
     * Refreshes a registered worker within its registration; no row when the heartbeat oversteps
     * it. The concurrency asked for is kept as announced and granted up to the registration's.
     */
    private static final String REFRESH = "WITH reg AS (SELECT id, status, max_concurrency, announced_max_concurrency "
            + "FROM workers WHERE id = $1) "
            + "UPDATE workers w SET capabilities = $3, tools = $4, max_concurrency = least($5, w.allowed_max_concurrency), "
            + "announced_max_concurrency = $5, reported_active = $6, version = $7, last_heartbeat_at = now(), "
            + "status = 'online' FROM reg WHERE w.id = reg.id "
            + "AND w.tenant_id IS NOT DISTINCT FROM $2 AND $3::text[] <@ w.allowed_capabilities "
            + "AND $4::text[] <@ w.allowed_tools "
            + "RETURNING reg.status AS previous, reg.max_concurrency AS previous_max, w.max_concurrency AS granted, "
            + "coalesce(reg.announced_max_concurrency > w.allowed_max_concurrency, false) AS was_clamped, "
            + "w.registered_at";

    private final Pool pool;
    private final WorkerSlots slots;
    private final TenantRegistry tenants;
    private final NatsClient nats;
    private final Subjects subjects;
    private final MeterRegistry metrics;
    private final ScanflowConfig config;
    private final Event<CapacityFreed> capacity;
    /** Subjects an unreadable heartbeat was warned about already. */
    private final WarnOnce unreadableSubjects = new WarnOnce(10_000);
    /** Workers (id@registered_at) said to ask for more concurrency than their registration allows. */
    private final WarnOnce clampedWorkers = new WarnOnce(10_000);
    /** The NATS subscription to heartbeats (jnats restores it after reconnections by itself). */
    private Dispatcher heartbeats;

    public WorkerRegistry(Pool pool, WorkerSlots slots, TenantRegistry tenants, NatsClient nats, Subjects subjects,
            MeterRegistry metrics, ScanflowConfig config, Event<CapacityFreed> capacity) {
        this.pool = pool;
        this.slots = slots;
        this.tenants = tenants;
        this.nats = nats;
        this.subjects = subjects;
        this.metrics = metrics;
        this.config = config;
        this.capacity = capacity;
    }

    void start(@Observes StartupEvent event) {
        if (config.workers().openRegistration()) {
            LOG.warn("OPEN REGISTRATION IS ON (scanflow.workers.open-registration): any NATS client that can publish a "
                    + "heartbeat registers itself as a worker, with the tenant it claims. For development only.");
        }
        nats.onConnect(connection -> {
            synchronized (this) {
                if (heartbeats == null) {
                    heartbeats = connection.createDispatcher(msg -> onHeartbeat(msg.getSubject(), msg.getData()));
                    heartbeats.subscribe(subjects.heartbeats());
                }
            }
        });
    }

    /** The outcome of a heartbeat. */
    enum Outcome { CAME_ONLINE, REFRESHED, UNREGISTERED, TENANT, CAPABILITIES, TOOLS }

    void onHeartbeat(String subject, byte[] data) {
        String subjectWorker = subjects.workerOfHeartbeat(subject);
        Heartbeat hb;
        try {
            hb = ProtocolJson.read(data, Heartbeat.class);
        } catch (Exception e) {
            unreadable(subject, e.getMessage());
            return;
        }
        if (hb == null) {
            unreadable(subject, "the body is JSON null, not a heartbeat object");
            return;
        }
        if (subjectWorker == null || !subjectWorker.equals(hb.workerId())) {
            rejected("subject", subjectWorker, "a heartbeat goes on " + subjects.heartbeat("<its worker_id>"));
            return;
        }
        String problem = HeartbeatCheck.problem(hb);
        if (problem != null) {
            rejected("invalid", hb.workerId(), problem);
            return;
        }
        heartbeat(hb).subscribe().with(
                outcome -> {
                    switch (outcome) {
                        case CAME_ONLINE -> {
                            LOG.infof("worker %s online (capabilities %s, tools %s, max_concurrency %d announced)",
                                    hb.workerId(), hb.capabilities(), hb.tools(), hb.maxConcurrency());
                            capacity.fire(new CapacityFreed("worker " + hb.workerId() + " online"));
                        }
                        case REFRESHED -> {
                        }
                        default -> rejected(outcome.name().toLowerCase(), hb.workerId(), "beyond its registration");
                    }
                },
                error -> LOG.warnf("heartbeat of %s not stored: %s", hb.workerId(), error.getMessage()));
    }

    /** Counted as any refusal; said at WARN once per subject (a broken worker repeats itself every beat). */
    private void unreadable(String subject, String why) {
        if (unreadableSubjects.first(subject)) {
            LOG.warnf("unreadable heartbeat on %s refused (further ones on this subject are logged at DEBUG): %s",
                    subject, why);
        }
        rejected("unreadable", subject, why);
    }

    private void rejected(String reason, String worker, String why) {
        metrics.counter("scanflow.workers.heartbeats.rejected", "reason", reason).increment();
        LOG.debugf("heartbeat of %s rejected (%s): %s", worker, reason, why);
    }

    /** Applies a heartbeat that passed {@link HeartbeatCheck}. */
    Uni<Outcome> heartbeat(Heartbeat hb) {
        UUID tenant = hb.tenantId() == null ? null : UUID.fromString(hb.tenantId());
        String[] capabilities = new LinkedHashSet<>(hb.capabilities()).toArray(String[]::new);
        String[] tools = hb.tools() == null ? new String[0] : new LinkedHashSet<>(hb.tools()).toArray(String[]::new);
        Tuple row = Tuple.from(Arrays.asList(hb.workerId(), tenant, capabilities, tools, hb.maxConcurrency(),
                hb.activeCommands() == null ? 0 : hb.activeCommands(), hb.version()));
        return refresh(hb, row).chain(outcome -> outcome != null ? Uni.createFrom().item(outcome)
                : whyRefused(hb, tenant, capabilities, tools).chain(reason -> reason == Outcome.UNREGISTERED
                        && config.workers().openRegistration()
                        ? registerOpenly(hb, tenant, capabilities, tools).chain(() -> refresh(hb, row))
                                .chain(again -> again != null ? Uni.createFrom().item(again)
                                        : whyRefused(hb, tenant, capabilities, tools))
                        : Uni.createFrom().item(reason)));
    }

    /** The refresh in one transaction with the slot rows; null when the heartbeat oversteps the registration. */
    private Uni<Outcome> refresh(Heartbeat hb, Tuple row) {
        return pool.withTransaction(tx -> tx.preparedQuery(REFRESH).execute(row).chain(rows -> {
            if (rows.size() == 0) {
                return Uni.createFrom().nullItem();
            }
            Row r = rows.iterator().next();
            Outcome outcome = "offline".equals(r.getString("previous")) ? Outcome.CAME_ONLINE : Outcome.REFRESHED;
            int granted = r.getInteger("granted");
            if (granted < hb.maxConcurrency() && !r.getBoolean("was_clamped")) {
                clamped(hb, granted, r.getOffsetDateTime("registered_at"));
            }
            // slot rows only grow (up to the registration's concurrency); fewer is a smaller max_concurrency
            if (granted <= r.getInteger("previous_max") && outcome == Outcome.REFRESHED) {
                return Uni.createFrom().item(outcome);
            }
            return slots.ensure(tx, hb.workerId(), granted).replaceWith(outcome);
        }));
    }

    /**
     * Says once per worker (per registration, on this replica) that it asks for more than it may
     * have; a worker that goes on asking for it is not a new event. The database says when it
     * starts asking (was_clamped), so that replicas, which all see every heartbeat, do not each
     * say it.
     */
    private void clamped(Heartbeat hb, int granted, java.time.OffsetDateTime registeredAt) {
        if (clampedWorkers.first(hb.workerId() + "@" + registeredAt)) {
            LOG.warnf("worker %s announces max_concurrency %d but its registration allows %d: it gets %d (register it "
                    + "again with more to give it more)", hb.workerId(), hb.maxConcurrency(), granted, granted);
        }
    }

    private Uni<Outcome> whyRefused(Heartbeat hb, UUID tenant, String[] capabilities, String[] tools) {
        return pool.preparedQuery("SELECT tenant_id, allowed_capabilities, allowed_tools, allowed_max_concurrency "
                        + "FROM workers WHERE id = $1")
                .execute(Tuple.of(hb.workerId()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Outcome.UNREGISTERED;
                    }
                    Row r = rows.iterator().next();
                    UUID registered = r.getUUID("tenant_id");
                    if (registered == null ? tenant != null : !registered.equals(tenant)) {
                        return Outcome.TENANT;
                    }
                    if (!new HashSet<>(Arrays.asList(r.getArrayOfStrings("allowed_capabilities")))
                            .containsAll(Arrays.asList(capabilities))) {
                        return Outcome.CAPABILITIES;
                    }
                    if (!new HashSet<>(Arrays.asList(r.getArrayOfStrings("allowed_tools"))).containsAll(Arrays.asList(tools))) {
                        return Outcome.TOOLS;
                    }
                    // the registration changed between the two reads: not the one the heartbeat was checked against
                    return Outcome.UNREGISTERED;
                });
    }

    /** Open registration: the first heartbeat registers the worker as it describes itself (capped). */
    private Uni<Void> registerOpenly(Heartbeat hb, UUID tenant, String[] capabilities, String[] tools) {
        int max = Math.min(hb.maxConcurrency(), config.workers().openRegistrationMaxConcurrency());
        Uni<Void> ensureTenant = tenant == null ? Uni.createFrom().voidItem() : tenants.ensureWithoutSession(tenant);
        return ensureTenant.chain(() -> pool.preparedQuery("INSERT INTO workers (id, tenant_id, capabilities, tools, "
                        + "max_concurrency, allowed_capabilities, allowed_tools, allowed_max_concurrency, registration, "
                        + "registered_by, status) VALUES ($1, $2, $3, $4, $5, $3, $4, $5, 'open', 'heartbeat', 'offline') "
                        + "ON CONFLICT (id) DO NOTHING")
                .execute(Tuple.from(Arrays.asList(hb.workerId(), tenant, capabilities, tools, max))))
                .invoke(() -> LOG.warnf("worker %s registered by its own heartbeat (open registration): tenant %s, "
                        + "capabilities %s, max %d", hb.workerId(), tenant, hb.capabilities(), max))
                .replaceWithVoid();
    }

    /** Marks workers offline that missed their heartbeats; returns their ids. */
    public Uni<List<String>> markMissing() {
        long seconds = config.workers().heartbeatInterval().toMillis() * config.workers().missedHeartbeats();
        return pool.preparedQuery("UPDATE workers SET status = 'offline' WHERE status = 'online' "
                        + "AND last_heartbeat_at < now() - make_interval(secs => $1::double precision / 1000) RETURNING id")
                .execute(Tuple.of(seconds))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    for (Row r : rows) {
                        ids.add(r.getString("id"));
                    }
                    if (!ids.isEmpty()) {
                        LOG.infof("workers offline (missed heartbeats): %s", ids);
                    }
                    return ids;
                });
    }
}
