package dev.scanflow.finding;

import dev.scanflow.config.ScanflowConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Bounds the findings' history ({@code scanflow.findings.retention}): findings fixed longer ago,
 * what runs saw of findings longer ago, and chunk records of that age are deleted in batches of
 * {@code purge-batch} rows, each its own short transaction, so no purge holds long locks. Open
 * findings stay whatever their age: they are still there.
 */
@ApplicationScoped
public class FindingRetention {

    private static final Logger LOG = Logger.getLogger(FindingRetention.class);
    /** Batches one pass deletes at most per table, so a pass ends even on a huge backlog. */
    static final int MAX_BATCHES = 100;

    private final Pool pool;
    private final ScanflowConfig config;

    public FindingRetention(Pool pool, ScanflowConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Scheduled(every = "${scanflow.findings.purge-interval:10m}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return purge().invoke(n -> {
            if (n > 0) {
                LOG.infof("purged %d finding rows older than %s", n, config.findings().retention());
            }
        }).onFailure().invoke(e -> LOG.warnf("purging old findings failed: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One pass: the rows deleted. */
    public Uni<Integer> purge() {
        double seconds = config.findings().retention().toSeconds();
        int batch = config.findings().purgeBatch();
        return batches("DELETE FROM finding_observations WHERE ctid = ANY (ARRAY(SELECT ctid FROM finding_observations "
                + "WHERE observed_at < now() - make_interval(secs => $1) LIMIT $2))", seconds, batch, 0, 0)
                // the condition again outside: a finding reopened while the purge waited for its row stays
                .chain(n -> batches("DELETE FROM findings WHERE id = ANY (ARRAY(SELECT id FROM findings WHERE state = 'fixed' "
                        + "AND fixed_at < now() - make_interval(secs => $1) LIMIT $2)) AND state = 'fixed' "
                        + "AND fixed_at < now() - make_interval(secs => $1)", seconds, batch, 0, n))
                .chain(n -> batches("DELETE FROM finding_chunks WHERE ctid = ANY (ARRAY(SELECT ctid FROM finding_chunks "
                        + "WHERE received_at < now() - make_interval(secs => $1) LIMIT $2))", seconds, batch, 0, n));
    }

    private Uni<Integer> batches(String sql, double seconds, int batch, int done, int total) {
        return pool.preparedQuery(sql).execute(Tuple.of(seconds, batch)).chain(rows -> {
            int n = rows.rowCount();
            return n < batch || done + 1 >= MAX_BATCHES ? Uni.createFrom().item(total + n)
                    : batches(sql, seconds, batch, done + 1, total + n);
        });
    }
}
