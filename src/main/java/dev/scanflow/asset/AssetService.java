package dev.scanflow.asset;

import dev.scanflow.auth.TenantRegistry;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.Applied;
import dev.scanflow.common.CredentialNames;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.Page;
import dev.scanflow.common.Timestamps;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import dev.scanflow.domain.ValidationError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Assets of a tenant; (type, name) is unique within a tenant. */
@ApplicationScoped
public class AssetService {

    private final TenantRegistry tenants;
    private final AssetAnnouncements announcements;
    private final CredentialNames credentials;

    public AssetService(TenantRegistry tenants, AssetAnnouncements announcements, CredentialNames credentials) {
        this.tenants = tenants;
        this.announcements = announcements;
        this.credentials = credentials;
    }

    /**
     * The asset checked and normalized, its credentials looked up ({@link CredentialNames}): a 422
     * with every error, those of unknown credentials included.
     */
    private Uni<AssetInput> validated(UUID tenant, AssetInput input) {
        AssetValidator.Checked checked = AssetValidator.check(input);
        List<String> names = checked.asset().credentials();
        Uni<Map<String, String>> known = names.isEmpty() ? Uni.createFrom().item(Map.of())
                : credentials.kinds(tenant, names);
        return known.map(kinds -> {
            List<ValidationError> errors = new ArrayList<>(checked.errors());
            List<String> given = input.credentials() == null ? List.of() : input.credentials();
            for (int i = 0; i < given.size(); i++) {
                if (names.contains(given.get(i)) && !kinds.containsKey(given.get(i))) {
                    errors.add(ValidationError.at("$.credentials[" + i + "]", "is not one of your scan credentials "
                            + "(GET /api/v1/credentials lists them; POST /api/v1/credentials makes one)"));
                }
            }
            if (!errors.isEmpty()) {
                throw ApiException.invalid("Invalid asset", errors);
            }
            return checked.asset();
        });
    }

    /** Credentials are looked up before the transaction: it holds no connection while they are. */
    public Uni<AssetView> create(UUID tenant, String user, AssetInput input) {
        return validated(tenant, input).chain(a -> Panache.withTransaction(() -> insert(tenant, user, a)));
    }

    private Uni<AssetView> insert(UUID tenant, String user, AssetInput a) {
        Instant now = Timestamps.now();
        AssetEntity e = new AssetEntity();
        e.id = UUID.randomUUID();
        e.tenantId = tenant;
        e.createdBy = user;
        e.createdAt = now;
        apply(e, a, now);
        return tenants.ensure(tenant)
                .chain(() -> ensureUnique(tenant, a, null))
                .chain(() -> e.<AssetEntity>persist())
                // discovery: pipelines that run on new assets learn of it from this row, same transaction
                .call(() -> announcements.inSession(tenant, e.id, "api"))
                .map(AssetView::of);
    }

    /**
     * Creates the asset, or brings the tenant's asset of that type and name up to the body's url,
     * tags, criticality and properties; nothing is written when it already says that.
     */
    public Uni<Applied<AssetView>> apply(UUID tenant, String user, AssetInput input) {
        return validated(tenant, input).chain(a -> Panache.withTransaction(() -> applyValid(tenant, user, a)));
    }

    private Uni<Applied<AssetView>> applyValid(UUID tenant, String user, AssetInput a) {
        return AssetEntity.<AssetEntity>find("tenantId = ?1 and type = ?2 and name = ?3", tenant, a.type(), a.name())
                .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).firstResult()
                .chain(existing -> {
                    if (existing == null) {
                        return insert(tenant, user, a).map(v -> new Applied<>(v, Applied.Outcome.CREATED));
                    }
                    boolean same = java.util.Objects.equals(existing.url, a.url())
                            && java.util.Objects.equals(existing.tags == null ? List.of() : existing.tags,
                                    a.tags() == null ? List.of() : a.tags())
                            && java.util.Objects.equals(existing.criticality, a.criticality())
                            && java.util.Objects.equals(existing.properties == null ? Map.of() : existing.properties,
                                    a.properties() == null ? Map.of() : a.properties())
                            && java.util.Objects.equals(existing.credentials == null ? List.of() : existing.credentials,
                                    a.credentials());
                    if (same) {
                        return Uni.createFrom().item(new Applied<>(AssetView.of(existing), Applied.Outcome.UNCHANGED));
                    }
                    apply(existing, a, Timestamps.now());
                    return Uni.createFrom().item(new Applied<>(AssetView.of(existing), Applied.Outcome.UPDATED));
                });
    }

    @WithSession
    public Uni<AssetView> get(UUID tenant, UUID id) {
        return find(tenant, id).map(AssetView::of);
    }

    /**
     * The asset as a run pins it when it starts: what conditions read as {@code asset.*} (and
     * asset filters at top level) and what commands carry as {@code target}. An unknown asset is
     * a 422 on {@code $.asset_id}, since it comes from a request body.
     */
    @WithSession
    public Uni<Map<String, Object>> snapshot(UUID tenant, UUID id) {
        return AssetEntity.<AssetEntity>find("id = ?1 and tenantId = ?2", id, tenant).firstResult()
                .map(e -> {
                    if (e == null) {
                        throw ApiException.invalid("$.asset_id", "no asset " + id + " in this tenant");
                    }
                    return snapshot(e);
                });
    }

    /** Every asset of the tenant as runs pin them (for triggers that select targets), oldest first, at most {@code max}. */
    @WithSession
    public Uni<List<Map<String, Object>>> snapshots(UUID tenant, int max) {
        return AssetEntity.<AssetEntity>find("tenantId = ?1 order by createdAt, id", tenant).range(0, max - 1).list()
                .map(rows -> rows.stream().map(AssetService::snapshot).toList());
    }

    public static Map<String, Object> snapshot(AssetEntity e) {
        Map<String, Object> asset = new java.util.LinkedHashMap<>();
        asset.put("id", e.id.toString());
        asset.put("type", e.type);
        asset.put("name", e.name);
        asset.put("url", e.url == null ? "" : e.url);
        asset.put("has_url", e.url != null && !e.url.isBlank());
        asset.put("tags", e.tags == null ? List.of() : List.copyOf(e.tags));
        asset.put("criticality", e.criticality);
        asset.put("properties", e.properties == null ? Map.of() : e.properties);
        asset.put("credentials", e.credentials == null ? List.of() : List.copyOf(e.credentials));
        return asset;
    }

    /** The asset as an entity, for services that need it (runs). */
    public Uni<AssetEntity> find(UUID tenant, UUID id) {
        return AssetEntity.<AssetEntity>find("id = ?1 and tenantId = ?2", id, tenant).firstResult()
                .map(e -> {
                    if (e == null) {
                        throw ApiException.notFound("asset " + id);
                    }
                    return e;
                });
    }

    public Uni<AssetView> update(UUID tenant, UUID id, AssetInput input) {
        return validated(tenant, input).chain(a -> Panache.withTransaction(() -> find(tenant, id)
                .chain(e -> ensureUnique(tenant, a, id).map(v -> e))
                .map(e -> {
                    apply(e, a, Timestamps.now());
                    return AssetView.of(e);
                })));
    }

    @WithTransaction
    public Uni<Void> delete(UUID tenant, UUID id) {
        return AssetEntity.delete("id = ?1 and tenantId = ?2", id, tenant).map(count -> {
            if (count == 0) {
                throw ApiException.notFound("asset " + id);
            }
            return null;
        });
    }

    @WithSession
    public Uni<Page<AssetView>> list(UUID tenant, String type, String tag, int limit, Cursor after) {
        StringBuilder q = new StringBuilder("tenantId = :tenant");
        Map<String, Object> params = new HashMap<>();
        params.put("tenant", tenant);
        if (type != null && !type.isBlank()) {
            q.append(" and type = :type");
            params.put("type", type);
        }
        if (tag != null && !tag.isBlank()) {
            q.append(" and array_contains(tags, :tag)");
            params.put("tag", tag);
        }
        if (after != null) {
            q.append(" and (createdAt < :at or (createdAt = :at and id < :after))");
            params.put("at", after.createdAt());
            params.put("after", after.id());
        }
        q.append(" order by createdAt desc, id desc");
        return AssetEntity.<AssetEntity>find(q.toString(), params).range(0, limit).list().map(rows -> {
            return Page.of(rows, limit, r -> new Cursor(r.createdAt, r.id).encode(), AssetView::of);
        });
    }

    private Uni<Void> ensureUnique(UUID tenant, AssetInput a, UUID self) {
        return AssetEntity.<AssetEntity>find("tenantId = ?1 and type = ?2 and name = ?3", tenant, a.type(), a.name())
                .firstResult()
                .map(other -> {
                    if (other != null && !other.id.equals(self)) {
                        throw ApiException.conflict("an asset of type " + a.type() + " named '" + a.name()
                                + "' already exists: " + other.id);
                    }
                    return null;
                });
    }

    private static void apply(AssetEntity e, AssetInput a, Instant now) {
        e.type = a.type();
        e.name = a.name();
        e.url = a.url();
        e.tags = a.tags();
        e.criticality = a.criticality();
        e.properties = a.properties();
        e.credentials = a.credentials() == null ? List.of() : a.credentials();
        e.updatedAt = now;
    }
}
