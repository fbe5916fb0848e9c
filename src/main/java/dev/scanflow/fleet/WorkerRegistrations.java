package dev.scanflow.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.auth.TenantRegistry;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.TreeReader;
import dev.scanflow.domain.ValidationError;
import dev.scanflow.engine.PlannedWrite;
import dev.scanflow.engine.RunEngine;
import dev.scanflow.protocol.Subjects;
import dev.scanflow.protocol.WorkerIds;
import io.nats.client.NKey;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.ForbiddenException;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/**
 * Registrations, the source of truth about workers: which tenant a worker serves (or all, when
 * shared), which capabilities and tools it may offer, its largest concurrency, and its NATS
 * identity. A tenant's admin registers the tenant's workers; shared workers need a platform
 * admin. Deregistering hands the worker's steps to other workers and removes its slots.
 */
@ApplicationScoped
public class WorkerRegistrations {

    /** The unique index that keeps one NATS public key to one worker (V13). */
    static final String NKEY_INDEX = "idx_workers_nats_public_key";

    private final Pool pool;
    private final FleetService fleet;
    private final TenantRegistry tenants;
    private final RunEngine engine;
    private final Subjects subjects;

    public WorkerRegistrations(Pool pool, FleetService fleet, TenantRegistry tenants, RunEngine engine, Subjects subjects) {
        this.pool = pool;
        this.fleet = fleet;
        this.tenants = tenants;
        this.engine = engine;
        this.subjects = subjects;
    }

    /** A registration request, read and checked. */
    record Request(String workerId, UUID tenantId, List<String> capabilities, List<String> tools, int maxConcurrency,
            String nkey) {
    }

    /** The answer to a registration: the worker, and its NATS access (the nkey seed, if issued, only here). */
    @RegisterForReflection
    public record Registered(WorkerView worker, NatsAccess nats) {
    }

    /**
     * Reads a registration body: {@code worker_id}, {@code tenant_id} (left out: the caller's
     * tenant; null: shared), {@code capabilities}, {@code tools}, {@code max_concurrency}
     * (default 1), and optionally {@code nats_nkey}, the public key of an nkey the worker made
     * itself (otherwise one is issued).
     */
    Request read(JsonNode body, UUID callerTenant) {
        TreeReader reader = new TreeReader();
        TreeReader.Fields f = reader.object(body, "$");
        if (f == null) {
            throw ApiException.invalid("Invalid worker registration", reader.errors());
        }
        String id = f.text("worker_id");
        if (id == null && !reader.hasErrorsUnder("$.worker_id")) {
            reader.error("$.worker_id", "is required");
        } else if (id != null && !WorkerIds.valid(id)) {
            reader.error("$.worker_id", "must match " + WorkerIds.PATTERN.pattern());
        }
        UUID tenant = callerTenant;
        if (body.has("tenant_id")) {
            String text = f.text("tenant_id");
            tenant = null;
            if (text != null) {
                try {
                    tenant = UUID.fromString(text);
                } catch (IllegalArgumentException e) {
                    reader.error("$.tenant_id", "must be a tenant id (UUID), or null for a shared worker");
                }
            }
        }
        List<String> capabilities = names(f, "capabilities", true, reader);
        List<String> tools = names(f, "tools", false, reader);
        Integer max = f.integer("max_concurrency");
        if (max != null && (max < 1 || max > 1000)) {
            reader.error("$.max_concurrency", "must be between 1 and 1000");
        }
        String nkey = f.text("nats_nkey");
        if (nkey != null) {
            try {
                NKey.fromPublicKey(nkey.toCharArray());
                if (!nkey.startsWith("U")) {
                    throw new IllegalArgumentException("not a user key");
                }
            } catch (RuntimeException e) {
                reader.error("$.nats_nkey", "must be the public key of a NATS user nkey (U...)");
            }
        }
        f.done();
        if (!reader.errors().isEmpty()) {
            throw ApiException.invalid("Invalid worker registration", reader.errors());
        }
        return new Request(id, tenant, capabilities, tools, max == null ? 1 : max, nkey);
    }

    private static List<String> names(TreeReader.Fields f, String field, boolean required, TreeReader reader) {
        List<String> given = f.strings(field);
        if (given == null) {
            if (required && !reader.hasErrorsUnder("$." + field)) {
                reader.error("$." + field, "name at least one");
            }
            return List.of();
        }
        if (required && given.isEmpty()) {
            reader.error("$." + field, "name at least one");
        }
        if (given.size() > HeartbeatCheck.MAX_NAMES) {
            reader.error("$." + field, "at most " + HeartbeatCheck.MAX_NAMES);
        }
        for (int i = 0; i < given.size(); i++) {
            if (!HeartbeatCheck.TOKEN.matcher(given.get(i)).matches()) {
                reader.error("$." + field + "[" + i + "]", "'" + given.get(i)
                        + "' is not a name (lowercase letters, digits, '.', '_', '-')");
            }
        }
        return new ArrayList<>(new LinkedHashSet<>(given));
    }

    /** Registers a worker (offline until its first heartbeat); 409 when the id or the NATS key is taken. */
    public Uni<Registered> register(Request r, UUID callerTenant, String user, boolean tenantAdmin, boolean platformAdmin) {
        if (r.tenantId() == null ? !platformAdmin : !(tenantAdmin || platformAdmin)) {
            return Uni.createFrom().failure(new ForbiddenException(r.tenantId() == null
                    ? "shared workers are registered by a platform-admin" : "admin role required"));
        }
        if (r.tenantId() != null && !r.tenantId().equals(callerTenant)) {
            return Uni.createFrom().failure(ApiException.invalid("$.tenant_id",
                    "must be your own tenant (" + callerTenant + "), or null for a shared worker"));
        }
        NatsAccess access = r.nkey() == null ? NatsAccess.issue(r.workerId(), subjects)
                : NatsAccess.of(r.workerId(), subjects, r.nkey(), null);
        Uni<Void> tenantRow = r.tenantId() == null ? Uni.createFrom().voidItem() : tenants.ensureWithoutSession(r.tenantId());
        return tenantRow.chain(() -> pool.preparedQuery("INSERT INTO workers (id, tenant_id, capabilities, tools, "
                                + "max_concurrency, allowed_capabilities, allowed_tools, allowed_max_concurrency, registration, "
                                + "registered_by, nats_public_key, status) VALUES ($1, $2, $3, $4, $5, $3, $4, $5, 'api', $6, "
                                + "$7, 'offline') ON CONFLICT (id) DO NOTHING RETURNING id")
                        .execute(Tuple.from(Arrays.asList(r.workerId(), r.tenantId(),
                                r.capabilities().toArray(String[]::new), r.tools().toArray(String[]::new),
                                r.maxConcurrency(), user, access.nkey()))))
                .onFailure(WorkerRegistrations::keyTaken).transform(e -> keyConflict())
                .chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().<Registered>failure(ApiException.conflict("a worker with the id '"
                                + r.workerId() + "' is registered already; deregister it first to register it again"));
                    }
                    return fleet.get(callerTenant, r.workerId()).map(view -> new Registered(view, access));
                });
    }

    /** The unique index on the NATS public key refused the row (also when two registrations race). */
    private static boolean keyTaken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg && "23505".equals(pg.getSqlState())
                    && NKEY_INDEX.equals(pg.getConstraint())) {
                return true;
            }
        }
        return false;
    }

    private static ApiException keyConflict() {
        String message = "is the NATS key of another worker; each worker needs a key of its own (leave nats_nkey out "
                + "to have one issued)";
        return new ApiException(409, "conflict", "Conflict", "$.nats_nkey: " + message,
                List.of(ValidationError.at("$.nats_nkey", message)));
    }

    /** The NATS access of a registered worker, without its secret. */
    public Uni<NatsAccess> access(UUID tenant, String id) {
        return fleet.get(tenant, id).map(w -> NatsAccess.of(w.workerId(), subjects, w.natsNkey(), null));
    }

    /**
     * Deregisters a worker: its row and slots go, its heartbeats are refused from now on, and the
     * steps it held go to other workers (as for a lost worker), all in one transaction.
     */
    public Uni<Void> deregister(UUID tenant, String id, boolean tenantAdmin, boolean platformAdmin) {
        return fleet.get(tenant, id).chain(worker -> {
            boolean allowed = worker.tenantId() == null ? platformAdmin : tenantAdmin || platformAdmin;
            if (!allowed) {
                return Uni.createFrom().failure(new ForbiddenException(worker.tenantId() == null
                        ? "shared workers are deregistered by a platform-admin" : "admin role required"));
            }
            // one transaction: a crash cannot leave steps on a worker that no longer exists
            return engine.workerRemoved(id, PlannedWrite.of("DELETE FROM workers WHERE id = $1", Tuple.of(id)));
        });
    }
}
