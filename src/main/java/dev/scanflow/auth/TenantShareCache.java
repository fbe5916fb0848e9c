package dev.scanflow.auth;

import dev.scanflow.domain.TenantShares;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Every tenant's weight and run limit in memory ({@link TenantShares}; docs/api.md, "Tenants:
 * weight and run limit"), so that the engine asks without I/O. Only tenants whose share is not
 * the default are held; any other tenant has weight 1 and no limit. Loaded at start-up (the
 * start waits for it a few seconds) and read again on every replica each
 * {@code scanflow.admission.refresh}; a write through this replica's API applies here at once. As
 * in the scope package's policy cache, every entry carries the local stamp of when it was set,
 * and a refresh replaces only entries older than its own start, so a refresh that read the
 * table before such a write never undoes it.
 */
@ApplicationScoped
public class TenantShareCache implements TenantShares {

    private static final Logger LOG = Logger.getLogger(TenantShareCache.class);
    private static final Duration FIRST_LOAD = Duration.ofSeconds(5);

    /** A tenant's share as cached (null: the default, as this replica last saw), with the stamp of when. */
    private record Entry(TenantRegistry.Share share, long stamp) {
    }

    private final TenantRegistry table;
    private final Map<UUID, Entry> byTenant = new ConcurrentHashMap<>();
    private final AtomicLong stamps = new AtomicLong();
    private volatile boolean loaded;

    public TenantShareCache(TenantRegistry table) {
        this.table = table;
    }

    void start(@Observes StartupEvent event) {
        // the main thread, not the event loop: the first dispatches should see the limits
        try {
            refresh().await().atMost(FIRST_LOAD);
        } catch (RuntimeException e) {
            LOG.warnf("tenants' weights and run limits not loaded yet (every tenant has weight 1, and new runs "
                    + "wait pending, until the next refresh): %s", e.toString());
        }
    }

    @Scheduled(every = "${scanflow.admission.refresh:5s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return refresh().onFailure().invoke(e -> LOG.warnf("reading the tenants' weights and run limits failed: %s",
                e.toString())).onFailure().recoverWithNull();
    }

    @Override
    public boolean loaded() {
        return loaded;
    }

    @Override
    public int weight(UUID tenant) {
        TenantRegistry.Share share = of(tenant);
        return share == null ? TenantRegistry.Share.DEFAULT_WEIGHT : share.weight();
    }

    @Override
    public Integer maxConcurrentRuns(UUID tenant) {
        TenantRegistry.Share share = of(tenant);
        return share == null ? null : share.maxConcurrentRuns();
    }

    private TenantRegistry.Share of(UUID tenant) {
        Entry e = tenant == null ? null : byTenant.get(tenant);
        return e == null ? null : e.share();
    }

    /** A share this replica just wrote (committed). */
    void written(TenantRegistry.Share share) {
        byTenant.put(share.tenant(), new Entry(share.isDefault() ? null : share, stamps.incrementAndGet()));
    }

    /** Reads the shares that are set, and forgets the ones that no longer are. */
    Uni<Void> refresh() {
        long started = begin();
        return table.setShares().invoke(rows -> apply(started, rows)).replaceWithVoid();
    }

    /** The stamp of a refresh that starts reading now. */
    long begin() {
        return stamps.incrementAndGet();
    }

    /** What a refresh that began at {@code started} read; entries set after it began stay as they are. */
    void apply(long started, List<TenantRegistry.Share> rows) {
        Set<UUID> present = new HashSet<>();
        for (TenantRegistry.Share row : rows) {
            present.add(row.tenant());
            byTenant.compute(row.tenant(), (k, old) -> old != null && old.stamp() > started ? old : new Entry(row, started));
        }
        for (UUID tenant : List.copyOf(byTenant.keySet())) {
            if (!present.contains(tenant)) {
                byTenant.computeIfPresent(tenant, (k, old) -> old.stamp() > started ? old : null);
            }
        }
        loaded = true;
    }
}
