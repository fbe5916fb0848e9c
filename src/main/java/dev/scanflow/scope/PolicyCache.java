package dev.scanflow.scope;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Every tenant's scan policy in memory, checked, so that the scope guard answers without I/O on
 * the engine's path. Loaded at start-up and read again on every replica each
 * {@code scanflow.scope.refresh} (only the rows whose version changed are loaded); a write
 * through this replica's API applies here at once. A refresh that read the table before such a
 * write never undoes it: every entry carries the local stamp of when it was set, and a refresh
 * replaces only entries older than its own start. Until the first load, {@link #loaded} is
 * false and the guard holds active steps back (fail closed). The target budgets of all the
 * policies are indexed by tenant and target ({@link DeclaredBudgets}) whenever an entry changes,
 * so that a budget is a map lookup on the engine's dispatch path.
 */
@ApplicationScoped
public class PolicyCache {

    private static final Logger LOG = Logger.getLogger(PolicyCache.class);

    /** A tenant's policy as cached (null: none, as this replica last saw), with the stamp of when. */
    private record Entry(ScanPolicy policy, long stamp) {
    }

    private final ScanPolicies table;
    private final Map<UUID, Entry> byTenant = new ConcurrentHashMap<>();
    private final AtomicLong stamps = new AtomicLong();
    private volatile boolean loaded;
    private volatile DeclaredBudgets budgets = DeclaredBudgets.NONE;

    public PolicyCache(ScanPolicies table) {
        this.table = table;
    }

    void start(@Observes StartupEvent event) {
        refresh().subscribe().with(v -> { }, e -> LOG.warnf("scan policies not loaded yet: %s", e.toString()));
    }

    @Scheduled(every = "${scanflow.scope.refresh:5s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return refresh().onFailure().invoke(e -> LOG.warnf("reading the scan policies failed: %s", e.toString()))
                .onFailure().recoverWithNull();
    }

    boolean loaded() {
        return loaded;
    }

    /** The tenant's policy, or null when it has none. */
    ScanPolicy of(UUID tenant) {
        Entry e = byTenant.get(tenant);
        return e == null ? null : e.policy();
    }

    /** Every tenant's target budgets, by tenant and target. */
    DeclaredBudgets budgets() {
        return budgets;
    }

    /** A policy this replica just wrote (committed). */
    void written(ScanPolicy policy) {
        byTenant.put(policy.tenantId(), new Entry(policy, stamps.incrementAndGet()));
        indexBudgets();
    }

    /** A policy this replica just deleted (committed). */
    void deleted(UUID tenant) {
        byTenant.put(tenant, new Entry(null, stamps.incrementAndGet()));
        indexBudgets();
    }

    /** Reads the versions, loads what changed, drops what is gone. */
    Uni<Void> refresh() {
        long started = begin();
        return table.stamps().chain(current -> {
            Set<UUID> present = new HashSet<>();
            List<UUID> changed = new java.util.ArrayList<>();
            for (ScanPolicies.Stamp s : current) {
                present.add(s.tenant());
                ScanPolicy cached = of(s.tenant());
                if (cached == null || cached.version() != s.version() || !cached.updatedAt().equals(s.updatedAt())) {
                    changed.add(s.tenant());
                }
            }
            return table.load(changed).invoke(rows -> apply(started, present, rows)).replaceWithVoid();
        });
    }

    /** The stamp of a refresh that starts reading now. */
    long begin() {
        return stamps.incrementAndGet();
    }

    /**
     * What a refresh that began at {@code started} read: the tenants that have a policy, and the
     * rows it loaded. Entries set after it began (this replica's writes) stay as they are.
     */
    void apply(long started, Set<UUID> present, List<ScanPolicies.Stored> rows) {
        boolean changed = !rows.isEmpty();
        for (ScanPolicies.Stored row : rows) {
            ScanPolicy policy;
            try {
                policy = row.compile();
            } catch (RuntimeException e) {
                // written by a release that reads policies differently: keep what was cached
                LOG.errorf("the scan policy of tenant %s (version %d) cannot be read: %s", row.tenant(),
                        row.version(), e.getMessage());
                continue;
            }
            byTenant.compute(row.tenant(), (k, old) -> old != null && old.stamp() > started ? old
                    : new Entry(policy, started));
        }
        for (UUID tenant : List.copyOf(byTenant.keySet())) {
            if (!present.contains(tenant)) {
                byTenant.computeIfPresent(tenant, (k, old) -> old.stamp() > started ? old : null);
                changed = true;
            }
        }
        if (changed) {
            indexBudgets();
        }
        loaded = true;
    }

    /**
     * Merges the budgets of the policies as cached now. Synchronized, and reading the entries
     * inside the lock: of two changes made at once, the index built last saw both.
     */
    private synchronized void indexBudgets() {
        List<ScanPolicy> policies = new java.util.ArrayList<>();
        byTenant.values().forEach(e -> {
            if (e.policy() != null) {
                policies.add(e.policy());
            }
        });
        budgets = DeclaredBudgets.of(policies);
    }
}
