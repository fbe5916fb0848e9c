package dev.scanflow.fleet;

import dev.scanflow.common.ApiException;
import dev.scanflow.common.Page;
import dev.scanflow.common.PgValues;
import dev.scanflow.domain.CapabilityCoverage;
import dev.scanflow.engine.CapacityFreed;
import dev.scanflow.engine.WorkerSlots;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The fleet as a tenant sees it: its dedicated workers and the shared ones, never another
 * tenant's. Draining stops new commands; running ones finish.
 */
@ApplicationScoped
public class FleetService {

    /** Columns of {@code workers w}; the slots held now come from the engine's {@link WorkerSlots#activeCommands}. */
    private static final String COLUMNS = "w.id, w.tenant_id, w.status, w.draining, w.capabilities, w.tools, "
            + "w.max_concurrency, w.announced_max_concurrency, w.reported_active, w.version, "
            + "w.last_heartbeat_at, w.registered_at, w.registration, w.registered_by, w.allowed_capabilities, "
            + "w.allowed_tools, w.allowed_max_concurrency, w.nats_public_key, w.ack_timeouts, w.benched_until";

    private final Pool pool;
    private final WorkerSlots slots;
    private final Event<CapacityFreed> capacity;

    public FleetService(Pool pool, WorkerSlots slots, Event<CapacityFreed> capacity) {
        this.pool = pool;
        this.slots = slots;
        this.capacity = capacity;
    }

    public Uni<Page<WorkerView>> list(UUID tenant, String status, String capability, int limit, String after) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM workers w WHERE (tenant_id IS NULL OR tenant_id = $1)");
        List<Object> params = new ArrayList<>(List.of(tenant));
        if (status != null) {
            switch (status) {
                case "draining" -> sql.append(" AND draining AND status = 'online'");
                case "online" -> sql.append(" AND NOT draining AND status = 'online'");
                case "offline" -> sql.append(" AND status = 'offline'");
                default -> throw ApiException.badParameter("status", "must be online, offline or draining");
            }
        }
        if (capability != null && !capability.isBlank()) {
            params.add(new String[] {capability});
            sql.append(" AND capabilities @> $").append(params.size());
        }
        if (after != null && !after.isBlank()) {
            params.add(after);
            sql.append(" AND id > $").append(params.size());
        }
        params.add(limit + 1);
        sql.append(" ORDER BY id LIMIT $").append(params.size());
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).chain(this::views)
                .map(all -> Page.of(all, limit, WorkerView::workerId, w -> w));
    }

    /** What the workers that can take this tenant's steps now offer (online, not draining). */
    public Uni<List<CapabilityCoverage.Offer>> onlineOffers(UUID tenant) {
        return pool.preparedQuery("SELECT capabilities, tools FROM workers WHERE (tenant_id IS NULL OR tenant_id = $1) "
                        + "AND status = 'online' AND NOT draining")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    List<CapabilityCoverage.Offer> offers = new ArrayList<>();
                    rows.forEach(r -> offers.add(new CapabilityCoverage.Offer(
                            Set.copyOf(Arrays.asList(r.getArrayOfStrings("capabilities"))),
                            Set.copyOf(Arrays.asList(r.getArrayOfStrings("tools"))))));
                    return offers;
                });
    }

    public Uni<WorkerView> get(UUID tenant, String id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM workers w WHERE id = $1 AND (tenant_id IS NULL OR tenant_id = $2)")
                .execute(Tuple.of(id, tenant))
                .chain(this::views)
                .map(views -> {
                    if (views.isEmpty()) {
                        throw ApiException.notFound("worker " + id);
                    }
                    return views.get(0);
                });
    }

    /**
     * Drains or resumes a worker. A tenant's admin may do it for the tenant's dedicated workers;
     * shared workers need the platform-admin role.
     */
    public Uni<WorkerView> setDraining(UUID tenant, String id, boolean draining, boolean tenantAdmin, boolean platformAdmin) {
        return get(tenant, id).chain(worker -> {
            boolean allowed = worker.tenantId() == null ? platformAdmin : tenantAdmin || platformAdmin;
            if (!allowed) {
                return Uni.createFrom().failure(new io.quarkus.security.ForbiddenException(
                        worker.tenantId() == null ? "shared workers are drained by a platform-admin" : "admin role required"));
            }
            return pool.preparedQuery("UPDATE workers SET draining = $2 WHERE id = $1")
                    .execute(Tuple.of(id, draining))
                    .invoke(() -> {
                        if (!draining) {
                            capacity.fire(new CapacityFreed("worker " + id + " resumed"));
                        }
                    })
                    .chain(() -> get(tenant, id));
        });
    }

    /** The workers' views, in the rows' order, with the slots each holds now. */
    private Uni<List<WorkerView>> views(RowSet<Row> rows) {
        List<Row> workers = new ArrayList<>();
        rows.forEach(workers::add);
        return slots.activeCommands(pool, workers.stream().map(r -> r.getString("id")).toList())
                .map(active -> workers.stream().map(r -> view(r, active.getOrDefault(r.getString("id"), 0))).toList());
    }

    static WorkerView view(Row r, int active) {
        int max = r.getInteger("max_concurrency");
        String status = "offline".equals(r.getString("status")) ? "offline"
                : r.getBoolean("draining") ? "draining" : "online";
        return new WorkerView(r.getString("id"), r.getUUID("tenant_id"), status,
                Arrays.asList(r.getArrayOfStrings("capabilities")), Arrays.asList(r.getArrayOfStrings("tools")), max,
                r.getInteger("announced_max_concurrency"), active, max == 0 ? 1.0 : Math.round(1000.0 * active / max) / 1000.0, r.getInteger("reported_active"),
                r.getString("version"), PgValues.instant(r, "last_heartbeat_at"), PgValues.instant(r, "registered_at"),
                r.getString("registration"), r.getString("registered_by"),
                Arrays.asList(r.getArrayOfStrings("allowed_capabilities")),
                Arrays.asList(r.getArrayOfStrings("allowed_tools")), r.getInteger("allowed_max_concurrency"),
                r.getString("nats_public_key"), r.getInteger("ack_timeouts"), PgValues.instant(r, "benched_until"));
    }
}
