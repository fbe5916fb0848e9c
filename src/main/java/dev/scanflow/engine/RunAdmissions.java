package dev.scanflow.engine;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.domain.FairShare;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Starts the runs a limit held pending once the limit lets them (docs/adr/0012-fair-admission.md):
 * on every engine tick and, coalesced, when a run of this replica ends. Each tenant's held runs
 * go in priority order (raised with waiting, as steps' are), then age, in one transaction per
 * tenant ({@link RunTransactions#admit}).
 */
@ApplicationScoped
public class RunAdmissions {

    private static final Logger LOG = Logger.getLogger(RunAdmissions.class);
    /** Held runs of one pipeline considered per pass (each pipeline's, so one pipeline's backlog hides no other's). */
    static final int PER_PIPELINE = 20;

    static final String HELD = "SELECT id, tenant_id, pipeline_id, max_concurrent_runs, priority, created_at FROM ("
            + "SELECT r.id, r.tenant_id, r.pipeline_id, r.max_concurrent_runs, r.priority, r.created_at, row_number() OVER ("
            + "PARTITION BY r.pipeline_id ORDER BY CASE r.priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 "
            + "WHEN 'normal' THEN 2 ELSE 3 END, r.created_at) AS n FROM pipeline_runs r "
            + "WHERE r.status = 'pending' AND r.wait_reason IS NOT NULL) h WHERE n <= " + PER_PIPELINE;

    private final Pool pool;
    private final RunTransactions transactions;
    private final ScanflowConfig config;
    private final RunLimits limits;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public RunAdmissions(Pool pool, RunTransactions transactions, ScanflowConfig config, RunLimits limits) {
        this.limits = limits;
        this.pool = pool;
        this.transactions = transactions;
        this.config = config;
    }

    void onRunsEnded(@Observes RunsEnded event) {
        if (limits.someHeld()) {
            request();
        }
    }

    /** Asks for a pass soon (coalesced: one at a time, one more after it if asked meanwhile). */
    void request() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            run();
        }
    }

    private void run() {
        again.set(false);
        pass().subscribe().with(v -> {
            running.set(false);
            if (again.get() && running.compareAndSet(false, true)) {
                run();
            }
        }, e -> {
            running.set(false);
            LOG.warnf("run admission failed: %s", e.toString());
        });
    }

    /** One pass now. */
    Uni<Void> pass() {
        return pool.query(HELD).execute().chain(rows -> {
            if (rows.size() == 0) {
                limits.noneHeld();
                return Uni.createFrom().voidItem();
            }
            Instant now = Instant.now();
            var aging = config.engine().priorityAging();
            Map<UUID, List<Row>> byTenant = new LinkedHashMap<>();
            for (Row r : rows) {
                byTenant.computeIfAbsent(r.getUUID("tenant_id"), k -> new ArrayList<>()).add(r);
            }
            List<List<RunLimits.Ask>> groups = new ArrayList<>();
            for (List<Row> held : byTenant.values()) {
                held.sort(Comparator.<Row>comparingInt(r -> FairShare.rank(r.getString("priority"),
                                r.getOffsetDateTime("created_at").toInstant(), now, aging))
                        .thenComparing(r -> r.getOffsetDateTime("created_at")));
                groups.add(RunLimits.asks(held));
            }
            return Multi.createFrom().iterable(groups)
                    .onItem().transformToUniAndConcatenate(asks -> transactions.admit(asks)
                            .onFailure().invoke(e -> LOG.warnf("admitting held runs failed: %s", e.toString()))
                            .onFailure().recoverWithItem(0))
                    .collect().asList().replaceWithVoid();
        });
    }
}
