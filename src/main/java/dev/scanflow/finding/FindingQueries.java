package dev.scanflow.finding;

import static dev.scanflow.common.PgValues.instant;

import dev.scanflow.common.ApiException;
import dev.scanflow.common.Cursor;
import dev.scanflow.common.Page;
import dev.scanflow.common.PgValues;
import dev.scanflow.protocol.Finding;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The reads of findings: the tenant's list, a run's findings and what a run changed. */
@ApplicationScoped
public class FindingQueries {

    static final String COLUMNS = "f.id, f.asset_id, f.kind, f.tools, f.rule_id, f.title, f.severity, "
            + "f.location, f.refs, f.fingerprint, f.message, f.state, f.suppression_id, f.first_seen_run, f.first_seen_at, "
            + "f.last_seen_run, f.last_seen_at, f.fixed_run, f.fixed_at";

    private final Pool pool;

    public FindingQueries(Pool pool) {
        this.pool = pool;
    }

    /** Filters of the findings list; null or empty: any. */
    public record Filter(UUID assetId, List<String> states, List<String> severities, List<String> kinds, String tool,
            String ruleId, Boolean suppressed, List<String> changes) {
    }

    /** The tenant's findings, most recently seen first. */
    public Uni<Page<FindingView>> list(UUID tenant, Filter filter, int limit, Cursor after) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM findings f WHERE f.tenant_id = $1");
        List<Object> params = new ArrayList<>();
        params.add(tenant);
        where(sql, params, filter, "f.state");
        if (after != null) {
            params.add(PgValues.odt(after.createdAt()));
            params.add(after.id());
            sql.append(" AND (f.last_seen_at, f.id) < ($").append(params.size() - 1).append(", $").append(params.size())
                    .append(")");
        }
        params.add(limit + 1);
        sql.append(" ORDER BY f.last_seen_at DESC, f.id DESC LIMIT $").append(params.size());
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(rows -> {
            List<Row> all = new ArrayList<>();
            rows.forEach(all::add);
            return Page.of(all, limit, r -> new Cursor(instant(r, "last_seen_at"), r.getUUID("id")).encode(),
                    r -> view(r, null));
        });
    }

    /**
     * A run's findings with what the run made of each (its {@code change}), in finding id order
     * after {@code afterId}; {@code limit} 0 reads them all (SARIF).
     */
    public Uni<Page<FindingView>> ofRun(UUID tenant, UUID runId, Filter filter, int limit, UUID afterId) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + ", o.change, o.suppressed AS seen_suppressed "
                + "FROM finding_observations o JOIN findings f ON f.id = o.finding_id "
                + "WHERE o.tenant_id = $1 AND o.run_id = $2");
        List<Object> params = new ArrayList<>(List.of(tenant, runId));
        where(sql, params, filter, "o.change");
        if (afterId != null) {
            params.add(afterId);
            sql.append(" AND o.finding_id > $").append(params.size());
        }
        sql.append(" ORDER BY o.finding_id");
        if (limit > 0) {
            params.add(limit + 1);
            sql.append(" LIMIT $").append(params.size());
        }
        var read = pool.preparedQuery(sql.toString()).execute(Tuple.from(params));
        // all of a run's findings (tens of thousands, each location parsed): mapped off the event loop
        return (limit <= 0 ? read.emitOn(Infrastructure.getDefaultWorkerPool()) : read).map(rows -> {
            List<Row> all = new ArrayList<>();
            rows.forEach(all::add);
            if (limit <= 0) {
                return new Page<>(all.stream().map(r -> view(r, r.getString("change"))).toList(), null);
            }
            return Page.of(all, limit, r -> r.getUUID("id").toString(), r -> view(r, r.getString("change")));
        });
    }

    private static void where(StringBuilder sql, List<Object> params, Filter f, String stateColumn) {
        if (f == null) {
            return;
        }
        if (f.assetId() != null) {
            params.add(f.assetId());
            sql.append(" AND f.asset_id = $").append(params.size());
        }
        if (f.states() != null && !f.states().isEmpty()) {
            params.add(f.states().toArray(String[]::new));
            sql.append(" AND f.state = ANY($").append(params.size()).append(")");
        }
        if (f.changes() != null && !f.changes().isEmpty()) {
            params.add(f.changes().toArray(String[]::new));
            sql.append(" AND ").append(stateColumn).append(" = ANY($").append(params.size()).append(")");
        }
        if (f.severities() != null && !f.severities().isEmpty()) {
            params.add(f.severities().toArray(String[]::new));
            sql.append(" AND f.severity = ANY($").append(params.size()).append(")");
        }
        if (f.kinds() != null && !f.kinds().isEmpty()) {
            params.add(f.kinds().toArray(String[]::new));
            sql.append(" AND f.kind = ANY($").append(params.size()).append(")");
        }
        if (f.tool() != null) {
            params.add(f.tool());
            sql.append(" AND $").append(params.size()).append(" = ANY(f.tools)");
        }
        if (f.ruleId() != null) {
            params.add(f.ruleId());
            sql.append(" AND f.rule_id = $").append(params.size());
        }
        if (f.suppressed() != null) {
            sql.append(f.suppressed() ? " AND f.suppression_id IS NOT NULL" : " AND f.suppression_id IS NULL");
        }
    }

    /** A finding of the tenant, or a 404. */
    public Uni<FindingView> get(UUID tenant, UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM findings f WHERE f.tenant_id = $1 AND f.id = $2")
                .execute(Tuple.of(tenant, id))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ApiException.notFound("finding " + id);
                    }
                    return view(rows.iterator().next(), null);
                });
    }

    /** What the run changed in its asset's findings; zeros when it filed none. */
    public Uni<RunFindingCounts> countsOf(SqlClient client, UUID runId) {
        return client.preparedQuery("SELECT change, severity, suppressed, count(*) AS n FROM finding_observations "
                        + "WHERE run_id = $1 GROUP BY change, severity, suppressed")
                .execute(Tuple.of(runId))
                .map(rows -> {
                    List<Row> all = new ArrayList<>();
                    rows.forEach(all::add);
                    return counts(all);
                });
    }

    private static RunFindingCounts counts(List<Row> rows) {
        int fresh = 0;
        int fixed = 0;
        int unchanged = 0;
        int reopened = 0;
        int suppressed = 0;
        Map<String, Integer> newBy = zeros();
        Map<String, Integer> fixedBy = zeros();
        for (Row r : rows) {
            int n = r.getLong("n").intValue();
            String severity = r.getString("severity");
            if (Boolean.TRUE.equals(r.getBoolean("suppressed"))) {
                suppressed += n;
                continue;
            }
            switch (r.getString("change")) {
                case "new", "reopened" -> {
                    fresh += n;
                    reopened += "reopened".equals(r.getString("change")) ? n : 0;
                    newBy.merge(severity, n, Integer::sum);
                }
                case "fixed" -> {
                    fixed += n;
                    fixedBy.merge(severity, n, Integer::sum);
                }
                default -> unchanged += n;
            }
        }
        return new RunFindingCounts(fresh, fixed, unchanged, reopened, suppressed, newBy, fixedBy);
    }

    private static Map<String, Integer> zeros() {
        Map<String, Integer> m = new LinkedHashMap<>();
        Finding.SEVERITIES.forEach(s -> m.put(s, 0));
        return m;
    }

    static FindingView view(Row r, String change) {
        return new FindingView(r.getUUID("id"), r.getUUID("asset_id"), r.getString("kind"),
                Arrays.asList(r.getArrayOfStrings("tools")), r.getString("rule_id"), r.getString("title"),
                r.getString("severity"), PgValues.json(r, "location"), Arrays.asList(r.getArrayOfStrings("refs")),
                // a secret's fingerprint may be a hash of its line (the reference worker makes one)
                "secret".equals(r.getString("kind")) ? null : r.getString("fingerprint"), r.getString("message"),
                r.getString("state"), change,
                r.getUUID("suppression_id") != null, r.getUUID("suppression_id"), r.getUUID("first_seen_run"),
                instant(r, "first_seen_at"), r.getUUID("last_seen_run"), instant(r, "last_seen_at"),
                r.getUUID("fixed_run"), instant(r, "fixed_at"));
    }
}
