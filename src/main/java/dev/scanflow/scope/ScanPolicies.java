package dev.scanflow.scope;

import dev.scanflow.auth.TenantRegistry;
import dev.scanflow.common.PgValues;
import dev.scanflow.domain.TargetBudget;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The {@code scan_policies} table: one row per tenant that has a policy (its target budgets as
 * JSONB, {@code [{target, max_active_steps, requests_per_second}]}).
 */
@ApplicationScoped
public class ScanPolicies {

    private static final String COLUMNS = "tenant_id, allowed_targets, excluded_targets, blackout_windows, "
            + "active_capabilities, target_budgets, version, updated_by, updated_at";

    private final Pool pool;
    private final TenantRegistry tenants;

    public ScanPolicies(Pool pool, TenantRegistry tenants) {
        this.pool = pool;
        this.tenants = tenants;
    }

    /** A row: the document as stored, and who wrote which version when. */
    record Stored(UUID tenant, ScanPolicyReader.Document document, int version, String updatedBy, Instant updatedAt) {

        ScanPolicy compile() {
            return ScanPolicyReader.compile(tenant, document, version, updatedBy, updatedAt);
        }
    }

    /** Which version each tenant's policy is at: what a cache compares before it loads. */
    record Stamp(UUID tenant, int version, Instant updatedAt) {
    }

    Uni<List<Stamp>> stamps() {
        return pool.query("SELECT tenant_id, version, updated_at FROM scan_policies").execute().map(rows -> {
            List<Stamp> out = new ArrayList<>();
            rows.forEach(r -> out.add(new Stamp(r.getUUID("tenant_id"), r.getInteger("version"),
                    PgValues.instant(r, "updated_at"))));
            return out;
        });
    }

    Uni<List<Stored>> load(Collection<UUID> tenantIds) {
        if (tenantIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM scan_policies WHERE tenant_id = ANY($1)")
                .execute(Tuple.of(tenantIds.toArray(UUID[]::new)))
                .map(rows -> {
                    List<Stored> out = new ArrayList<>();
                    rows.forEach(r -> out.add(stored(r)));
                    return out;
                });
    }

    /** The tenant's policy, or null. */
    Uni<Stored> get(UUID tenant) {
        return load(List.of(tenant)).map(found -> found.isEmpty() ? null : found.get(0));
    }

    /** Writes the tenant's policy (its next version); the row as written, and whether it is new. */
    Uni<Written> write(UUID tenant, ScanPolicyReader.Document doc, String user) {
        JsonArray windows = new JsonArray();
        doc.blackoutWindows().forEach(w -> windows.add(new JsonObject().put("cron", w.cron())
                .put("duration", w.duration()).put("timezone", w.timezone())));
        JsonArray budgets = new JsonArray();
        doc.targetBudgets().forEach(b -> budgets.add(new JsonObject().put("target", b.target())
                .put("max_active_steps", b.maxActiveSteps()).put("requests_per_second", b.requestsPerSecond())));
        return tenants.ensureWithoutSession(tenant)
                .chain(() -> pool.preparedQuery("INSERT INTO scan_policies AS p (tenant_id, allowed_targets, "
                                + "excluded_targets, blackout_windows, active_capabilities, target_budgets, updated_by) "
                                + "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id) DO UPDATE SET "
                                + "allowed_targets = $2, excluded_targets = $3, blackout_windows = $4, "
                                + "active_capabilities = $5, target_budgets = $6, updated_by = $7, "
                                + "version = p.version + 1, updated_at = now() "
                                + "RETURNING " + COLUMNS + ", (xmax = 0) AS created")
                        .execute(Tuple.from(Arrays.asList(tenant, doc.allowedTargets().toArray(String[]::new),
                                doc.excludedTargets().toArray(String[]::new), windows,
                                doc.activeCapabilities().toArray(String[]::new), budgets, user))))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Written(stored(r), r.getBoolean("created"));
                });
    }

    record Written(Stored stored, boolean created) {
    }

    /** Removes the tenant's policy; false when it had none. */
    Uni<Boolean> delete(UUID tenant) {
        return pool.preparedQuery("DELETE FROM scan_policies WHERE tenant_id = $1").execute(Tuple.of(tenant))
                .map(rows -> rows.rowCount() > 0);
    }

    private static Stored stored(Row r) {
        List<ScanPolicyReader.Window> windows = new ArrayList<>();
        JsonArray stored = (JsonArray) r.getValue("blackout_windows");
        for (int i = 0; i < stored.size(); i++) {
            JsonObject w = stored.getJsonObject(i);
            windows.add(new ScanPolicyReader.Window(w.getString("cron"), w.getString("duration"), w.getString("timezone")));
        }
        List<TargetBudget> budgets = new ArrayList<>();
        JsonArray storedBudgets = (JsonArray) r.getValue("target_budgets");
        for (int i = 0; i < storedBudgets.size(); i++) {
            JsonObject b = storedBudgets.getJsonObject(i);
            budgets.add(new TargetBudget(b.getString("target"), b.getInteger("max_active_steps"),
                    b.getInteger("requests_per_second")));
        }
        var doc = new ScanPolicyReader.Document(List.of(r.getArrayOfStrings("allowed_targets")),
                List.of(r.getArrayOfStrings("excluded_targets")), windows, List.of(r.getArrayOfStrings("active_capabilities")),
                budgets);
        return new Stored(r.getUUID("tenant_id"), doc, r.getInteger("version"), r.getString("updated_by"),
                PgValues.instant(r, "updated_at"));
    }
}
