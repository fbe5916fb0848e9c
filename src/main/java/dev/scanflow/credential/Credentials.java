package dev.scanflow.credential;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.asset.AssetRows;
import dev.scanflow.auth.TenantRegistry;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.CredentialNames;
import dev.scanflow.common.PgValues;
import dev.scanflow.common.SecretBox;
import dev.scanflow.pipeline.PipelineRows;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A tenant's scan credentials, the owner of {@code scan_credentials}: values sealed with
 * {@link SecretBox} when written, opened only for the credential listener's reply. No view, error
 * or log line of this class holds a value. Also the names and kinds assets, templates and the
 * engine look up ({@link CredentialNames}).
 */
@ApplicationScoped
public class Credentials implements CredentialNames {

    /** The columns every role may see: no value. */
    private static final String SHOWN = "name, kind, username, header, scope, usable_by, "
            + "(previous_value IS NOT NULL AND grace_until > now()) AS has_previous, grace_until, created_by, created_at, "
            + "rotated_at";

    private final Pool pool;
    private final SecretBox box;
    private final TenantRegistry tenants;
    private final PipelineRows pipelines;

    public Credentials(Pool pool, SecretBox box, TenantRegistry tenants, PipelineRows pipelines) {
        this.pool = pool;
        this.box = box;
        this.tenants = tenants;
        this.pipelines = pipelines;
    }

    Uni<CredentialView> create(UUID tenant, String user, JsonNode body) {
        CredentialBodies.NewCredential c = CredentialBodies.create(body);
        byte[] sealed = box.seal(c.value());
        return tenants.ensureWithoutSession(tenant)
                .chain(() -> insert(pool, tenant, c.name(), c.kind(), sealed, c.username(), c.header(), c.scope(),
                        c.usableBy(), user))
                .chain(inserted -> {
                    if (!inserted) {
                        throw ApiException.conflict("you have a scan credential named '" + c.name() + "'");
                    }
                    return get(tenant, c.name());
                });
    }

    /** Inserts a credential (its value sealed already); false when the tenant has one of that name. */
    static Uni<Boolean> insert(SqlClient client, UUID tenant, String name, CredentialKind kind, byte[] sealed,
            String username, String header, List<String> scope, List<String> usableBy, String user) {
        return client.preparedQuery("INSERT INTO scan_credentials (id, tenant_id, name, kind, value, username, header, "
                        + "scope, usable_by, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                        + "ON CONFLICT (tenant_id, name) DO NOTHING")
                .execute(Tuple.tuple(Arrays.asList(UUID.randomUUID(), tenant, name, kind.wire, Buffer.buffer(sealed),
                        username, header, scope.toArray(String[]::new),
                        usableBy == null ? null : usableBy.toArray(String[]::new), user)))
                .map(rows -> rows.rowCount() == 1);
    }

    Uni<List<CredentialView>> list(UUID tenant) {
        return pool.preparedQuery("SELECT " + SHOWN + " FROM scan_credentials WHERE tenant_id = $1 ORDER BY name")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    List<CredentialView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(view(r)));
                    return out;
                });
    }

    Uni<CredentialView> get(UUID tenant, String name) {
        return pool.preparedQuery("SELECT " + SHOWN + " FROM scan_credentials WHERE tenant_id = $1 AND name = $2")
                .execute(Tuple.of(tenant, name))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw notFound(name);
                    }
                    return view(rows.iterator().next());
                });
    }

    /** A new value; the previous one stays for the commands made before, for the grace period (none: dropped now). */
    Uni<CredentialView> rotate(UUID tenant, String name, JsonNode body) {
        return pool.preparedQuery("SELECT kind FROM scan_credentials WHERE tenant_id = $1 AND name = $2")
                .execute(Tuple.of(tenant, name))
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw notFound(name);
                    }
                    CredentialKind kind = CredentialKind.of(rows.iterator().next().getString("kind"));
                    CredentialBodies.Rotation r = CredentialBodies.rotate(body, kind);
                    byte[] sealed = box.seal(r.value());
                    Instant graceUntil = r.graceSeconds() == 0 ? null : Instant.now().plusSeconds(r.graceSeconds());
                    return pool.preparedQuery("UPDATE scan_credentials SET "
                                    + "previous_value = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE value END, "
                                    + "grace_until = $3, value = $4, rotated_at = now() WHERE tenant_id = $1 AND name = $2")
                            .execute(Tuple.tuple(Arrays.asList(tenant, name, PgValues.odt(graceUntil), Buffer.buffer(sealed))));
                })
                .chain(updated -> {
                    if (updated.rowCount() == 0) {
                        throw notFound(name);
                    }
                    return get(tenant, name);
                });
    }

    /** Deletes a credential no asset and no active pipeline's latest version names; 409 naming them otherwise. */
    Uni<Void> delete(UUID tenant, String name) {
        return Uni.combine().all().unis(AssetRows.referencing(pool, tenant, name),
                        pipelines.namingCredential(pool, tenant, name))
                .asTuple()
                .chain(users -> {
                    List<String> assets = users.getItem1();
                    List<String> templates = users.getItem2();
                    if (!assets.isEmpty() || !templates.isEmpty()) {
                        List<String> parts = new ArrayList<>();
                        if (!assets.isEmpty()) {
                            parts.add("assets " + String.join(", ", assets));
                        }
                        if (!templates.isEmpty()) {
                            parts.add("pipelines " + String.join(", ", templates.stream().map(t -> "'" + t + "'").toList()));
                        }
                        throw ApiException.conflict("scan credential '" + name + "' is in use by " + String.join(" and ", parts)
                                + ": remove it from them first");
                    }
                    return pool.preparedQuery("DELETE FROM scan_credentials WHERE tenant_id = $1 AND name = $2")
                            .execute(Tuple.of(tenant, name));
                })
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw notFound(name);
                    }
                    return null;
                });
    }

    @Override
    public Uni<Map<String, String>> kinds(UUID tenant, Collection<String> names) {
        if (names.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return pool.preparedQuery("SELECT name, kind FROM scan_credentials WHERE tenant_id = $1 AND name = ANY($2)")
                .execute(Tuple.of(tenant, names.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, String> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString("name"), r.getString("kind")));
                    return out;
                });
    }

    /** Which of these names the tenant's credentials use (the start-up migration picks free ones). */
    static Uni<List<String>> taken(SqlClient client, UUID tenant, Collection<String> names) {
        return client.preparedQuery("SELECT name FROM scan_credentials WHERE tenant_id = $1 AND name = ANY($2)")
                .execute(Tuple.of(tenant, names.toArray(String[]::new)))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString("name")));
                    return out;
                });
    }

    /**
     * A credential as the listener needs it: still sealed. {@code toString} shows no sealed
     * bytes, though they would be useless without the key.
     */
    record Stored(String name, CredentialKind kind, String username, String header, List<String> scope,
            List<String> usableBy, byte[] value, byte[] previousValue, Instant graceUntil, Instant rotatedAt) {

        @Override
        public String toString() {
            return "Stored[" + name + ", " + kind.wire + "]";
        }
    }

    /** The tenant's credentials among these names, sealed. */
    Uni<Map<String, Stored>> stored(UUID tenant, Collection<String> names) {
        if (names.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return pool.preparedQuery("SELECT name, kind, username, header, scope, usable_by, value, previous_value, "
                        + "grace_until, rotated_at FROM scan_credentials WHERE tenant_id = $1 AND name = ANY($2)")
                .execute(Tuple.of(tenant, names.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Stored> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString("name"), new Stored(r.getString("name"),
                            CredentialKind.of(r.getString("kind")), r.getString("username"), r.getString("header"),
                            strings(r, "scope"), strings(r, "usable_by"), bytes(r, "value"), bytes(r, "previous_value"),
                            PgValues.instant(r, "grace_until"), PgValues.instant(r, "rotated_at"))));
                    return out;
                });
    }

    /** The secret as it was sealed; null when this Scanflow's key cannot open it. */
    String open(byte[] sealed) {
        return box.open(sealed);
    }

    private static CredentialView view(Row r) {
        return new CredentialView(r.getString("name"), r.getString("kind"), r.getString("username"),
                r.getString("header"), strings(r, "scope"), strings(r, "usable_by"),
                Boolean.TRUE.equals(r.getBoolean("has_previous")),
                Boolean.TRUE.equals(r.getBoolean("has_previous")) ? PgValues.instant(r, "grace_until") : null,
                r.getString("created_by"), PgValues.instant(r, "created_at"), PgValues.instant(r, "rotated_at"));
    }

    private static List<String> strings(Row r, String column) {
        String[] values = r.getArrayOfStrings(column);
        return values == null ? null : List.of(values);
    }

    private static byte[] bytes(Row r, String column) {
        var b = r.getBuffer(column);
        return b == null ? null : b.getBytes();
    }

    private static ApiException notFound(String name) {
        return ApiException.notFound("scan credential '" + name + "'");
    }
}
