package dev.scanflow.finding;

import static dev.scanflow.common.PgValues.instant;
import static dev.scanflow.common.PgValues.odt;

import dev.scanflow.asset.AssetService;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.Page;
import dev.scanflow.common.PgValues;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The tenant's suppressions. A new one applies from the next chunk of findings filed: findings
 * already filed keep what they were until a run sees them again (the same holds for one that
 * expires or is deleted: the next run that sees the finding makes it reopened).
 */
@ApplicationScoped
public class Suppressions {

    private static final String COLUMNS = "id, finding_id, rule_id, pattern, asset_id, reason, owner, expires_at, "
            + "created_by, created_at";

    private final Pool pool;
    private final AssetService assets;

    public Suppressions(Pool pool, AssetService assets) {
        this.pool = pool;
        this.assets = assets;
    }

    Uni<SuppressionView> create(UUID tenant, String user, SuppressionBodies.NewSuppression s) {
        // a finding's suppression is its identity on its asset (the same dependency on another asset stays)
        Uni<Row> finding = s.findingId() == null ? Uni.createFrom().nullItem()
                : pool.preparedQuery("SELECT identity, asset_id FROM findings WHERE tenant_id = $1 AND id = $2")
                        .execute(Tuple.of(tenant, s.findingId()))
                        .map(rows -> {
                            if (!rows.iterator().hasNext()) {
                                throw ApiException.invalid("$.finding_id", "no such finding in this tenant");
                            }
                            return rows.iterator().next();
                        });
        Uni<Boolean> asset = s.assetId() == null ? Uni.createFrom().item(true)
                : assets.get(tenant, s.assetId()).map(v -> true).onFailure(ApiException.class).recoverWithItem(false);
        return asset.chain(known -> {
            if (!known) {
                throw ApiException.invalid("$.asset_id", "no such asset in this tenant");
            }
            return finding;
        }).chain(f -> pool.preparedQuery("INSERT INTO finding_suppressions (id, tenant_id, identity, finding_id, rule_id, "
                        + "pattern, asset_id, reason, owner, expires_at, created_by) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING " + COLUMNS)
                .execute(Tuple.from(Arrays.asList(UUID.randomUUID(), tenant, f == null ? null : f.getString("identity"),
                        s.findingId(), s.ruleId(), s.pattern(), f == null ? s.assetId() : f.getUUID("asset_id"), s.reason(),
                        s.owner(), odt(s.expiresAt()), user)))
                .map(rows -> view(rows.iterator().next(), Instant.now())));
    }

    Uni<Page<SuppressionView>> list(UUID tenant, int limit, Cursor after) {
        List<Object> params = new ArrayList<>(List.of(tenant));
        String sql = "SELECT " + COLUMNS + " FROM finding_suppressions WHERE tenant_id = $1";
        if (after != null) {
            params.add(odt(after.createdAt()));
            params.add(after.id());
            sql += " AND (created_at, id) < ($2, $3)";
        }
        params.add(limit + 1);
        sql += " ORDER BY created_at DESC, id DESC LIMIT $" + params.size();
        Instant now = Instant.now();
        return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
            List<Row> all = new ArrayList<>();
            rows.forEach(all::add);
            return Page.of(all, limit, r -> new Cursor(instant(r, "created_at"), r.getUUID("id")).encode(),
                    r -> view(r, now));
        });
    }

    Uni<SuppressionView> get(UUID tenant, UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM finding_suppressions WHERE tenant_id = $1 AND id = $2")
                .execute(Tuple.of(tenant, id))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ApiException.notFound("suppression " + id);
                    }
                    return view(rows.iterator().next(), Instant.now());
                });
    }

    Uni<Void> delete(UUID tenant, UUID id) {
        return pool.preparedQuery("DELETE FROM finding_suppressions WHERE tenant_id = $1 AND id = $2")
                .execute(Tuple.of(tenant, id))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw ApiException.notFound("suppression " + id);
                    }
                    return null;
                });
    }

    private static SuppressionView view(Row r, Instant now) {
        Instant expires = PgValues.instant(r, "expires_at");
        return new SuppressionView(r.getUUID("id"), r.getUUID("finding_id"),
                r.getString("rule_id"), r.getString("pattern"), r.getUUID("asset_id"), r.getString("reason"),
                r.getString("owner"), expires, expires == null || expires.isAfter(now), r.getString("created_by"),
                instant(r, "created_at"));
    }
}
