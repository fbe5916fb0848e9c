package dev.scanflow.fleet;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.engine.CapacityFreed;
import dev.scanflow.nats.NatsClient;
import dev.scanflow.protocol.Heartbeat;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.Subjects;
import dev.scanflow.protocol.WorkerIds;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Workers register by heartbeating on {@code scanflow.workers.heartbeat}: the first heartbeat
 * makes a worker online, every heartbeat refreshes what it offers, and {@link WorkerLiveness}
 * marks it offline after the configured number of missed intervals. A worker coming online is
 * capacity for steps that wait ({@link CapacityFreed}).
 */
@ApplicationScoped
public class WorkerRegistry {

    private static final Logger LOG = Logger.getLogger(WorkerRegistry.class);
    private static final Pattern TOKEN = Pattern.compile("^[a-z0-9][a-z0-9_.-]{0,63}$");

    private final Pool pool;
    private final NatsClient nats;
    private final Subjects subjects;
    private final MeterRegistry metrics;
    private final ScanflowConfig config;
    private final Event<CapacityFreed> capacity;
    /** The NATS subscription to heartbeats (jnats restores it after reconnections by itself). */
    private Dispatcher heartbeats;

    public WorkerRegistry(Pool pool, NatsClient nats, Subjects subjects, MeterRegistry metrics, ScanflowConfig config,
            Event<CapacityFreed> capacity) {
        this.pool = pool;
        this.nats = nats;
        this.subjects = subjects;
        this.metrics = metrics;
        this.config = config;
        this.capacity = capacity;
    }

    void start(@Observes StartupEvent event) {
        nats.onConnect(connection -> {
            synchronized (this) {
                if (heartbeats == null) {
                    heartbeats = connection.createDispatcher(msg -> onHeartbeat(msg.getData()));
                    heartbeats.subscribe(subjects.heartbeat());
                }
            }
        });
    }

    void onHeartbeat(byte[] data) {
        Heartbeat hb;
        try {
            hb = ProtocolJson.read(data, Heartbeat.class);
        } catch (Exception e) {
            rejected("unreadable heartbeat: " + e.getMessage());
            return;
        }
        String problem = check(hb);
        if (problem != null) {
            rejected(problem);
            return;
        }
        heartbeat(hb).subscribe().with(
                becameAvailable -> {
                    if (becameAvailable) {
                        LOG.infof("worker %s online (capabilities %s, tools %s, max %d)", hb.workerId(),
                                hb.capabilities(), hb.tools(), hb.maxConcurrency());
                        capacity.fire(new CapacityFreed("worker " + hb.workerId() + " online"));
                    }
                },
                error -> LOG.warnf("heartbeat of %s not stored: %s", hb.workerId(), error.getMessage()));
    }

    private void rejected(String why) {
        metrics.counter("scanflow.workers.heartbeats.rejected").increment();
        LOG.debugf("heartbeat rejected: %s", why);
    }

    static String check(Heartbeat hb) {
        if (!WorkerIds.valid(hb.workerId())) {
            return "worker_id must match " + WorkerIds.PATTERN.pattern();
        }
        if (hb.tenantId() != null) {
            try {
                UUID.fromString(hb.tenantId());
            } catch (IllegalArgumentException e) {
                return "tenant_id must be null or a UUID";
            }
        }
        if (hb.capabilities() == null || hb.capabilities().isEmpty()
                || hb.capabilities().stream().anyMatch(c -> c == null || !TOKEN.matcher(c).matches())) {
            return "capabilities must be a non-empty list of names";
        }
        if (hb.tools() != null && hb.tools().stream().anyMatch(t -> t == null || !TOKEN.matcher(t).matches())) {
            return "tools must be a list of names";
        }
        if (hb.maxConcurrency() == null || hb.maxConcurrency() < 1 || hb.maxConcurrency() > 1000) {
            return "max_concurrency must be between 1 and 1000";
        }
        return null;
    }

    /** Stores a heartbeat; true when the worker was not online before (new, or back from offline). */
    public Uni<Boolean> heartbeat(Heartbeat hb) {
        UUID tenant = hb.tenantId() == null ? null : UUID.fromString(hb.tenantId());
        String[] capabilities = new LinkedHashSet<>(hb.capabilities()).toArray(String[]::new);
        String[] tools = hb.tools() == null ? new String[0] : new LinkedHashSet<>(hb.tools()).toArray(String[]::new);
        Uni<?> ensureTenant = tenant == null ? Uni.createFrom().voidItem()
                : pool.preparedQuery("INSERT INTO tenants (id) VALUES ($1) ON CONFLICT (id) DO NOTHING")
                        .execute(Tuple.of(tenant));
        Tuple row = Tuple.from(Arrays.asList(hb.workerId(), tenant, capabilities, tools, hb.maxConcurrency(),
                hb.activeCommands() == null ? 0 : hb.activeCommands(), hb.version()));
        return ensureTenant.chain(() -> pool.withTransaction(tx -> tx.preparedQuery(UPSERT).execute(row)
                .chain(rows -> {
                    Row r = rows.iterator().next();
                    String previous = r.getString("previous");
                    boolean available = previous == null || previous.equals("offline");
                    if (Integer.valueOf(hb.maxConcurrency()).equals(r.getInteger("previous_max"))) {
                        return Uni.createFrom().item(available);
                    }
                    // a new worker, or its capacity changed: one row per slot (held slots stay)
                    return tx.preparedQuery(SLOTS).execute(Tuple.of(hb.workerId(), hb.maxConcurrency()))
                            .replaceWith(available);
                })));
    }

    private static final String UPSERT = "WITH previous AS (SELECT status, max_concurrency FROM workers WHERE id = $1) "
            + "INSERT INTO workers (id, tenant_id, capabilities, tools, max_concurrency, reported_active, "
            + "status, version, last_heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6, 'online', $7, now()) "
            + "ON CONFLICT (id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, "
            + "capabilities = EXCLUDED.capabilities, tools = EXCLUDED.tools, "
            + "max_concurrency = EXCLUDED.max_concurrency, reported_active = EXCLUDED.reported_active, "
            + "version = EXCLUDED.version, last_heartbeat_at = now(), status = 'online' "
            + "RETURNING (SELECT status FROM previous) AS previous, (SELECT max_concurrency FROM previous) AS previous_max";

    private static final String SLOTS = "WITH surplus AS (DELETE FROM worker_slots WHERE worker_id = $1 AND slot >= $2 "
            + "AND step_run_id IS NULL) INSERT INTO worker_slots (worker_id, slot) "
            + "SELECT $1, g FROM generate_series(0, $2 - 1) g ON CONFLICT DO NOTHING";

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
