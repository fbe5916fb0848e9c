package dev.scanflow.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The cache behind the engine's TenantShares, without Quarkus: defaults for tenants it does not
 * hold, refreshes that add and forget, and a refresh that read the table before this replica's
 * write never undoing it.
 */
class TenantShareCacheTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    private final TenantShareCache cache = new TenantShareCache(null);

    private static TenantRegistry.Share share(UUID tenant, int weight, Integer runs) {
        return new TenantRegistry.Share(tenant, weight, runs, NOW, "ops@example.com");
    }

    @Test
    void aTenantItDoesNotHoldHasWeightOneAndNoLimit() {
        UUID unknown = UUID.randomUUID();
        assertEquals(1, cache.weight(unknown));
        assertNull(cache.maxConcurrentRuns(unknown));
        assertEquals(1, cache.weight(null));
    }

    @Test
    void refreshesAddAndForget() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        assertFalse(cache.loaded(), "until the first read, limits are unknown (new runs wait)");
        cache.apply(cache.begin(), List.of(share(a, 4, null), share(b, 1, 10)));
        assertTrue(cache.loaded());
        assertEquals(4, cache.weight(a));
        assertNull(cache.maxConcurrentRuns(a));
        assertEquals(10, cache.maxConcurrentRuns(b));
        // b was set back to the defaults elsewhere: the table no longer lists it
        cache.apply(cache.begin(), List.of(share(a, 4, null)));
        assertEquals(1, cache.weight(b));
        assertNull(cache.maxConcurrentRuns(b));
    }

    @Test
    void aRefreshThatReadBeforeThisReplicasWriteNeverUndoesIt() {
        UUID a = UUID.randomUUID();
        cache.apply(cache.begin(), List.of(share(a, 2, 5)));
        long stale = cache.begin(); // a refresh starts reading...
        cache.written(share(a, 9, null)); // ...this replica writes and commits...
        cache.apply(stale, List.of(share(a, 2, 5))); // ...and the refresh, which read the old row, ends
        assertEquals(9, cache.weight(a));
        assertNull(cache.maxConcurrentRuns(a));
        // a write back to the defaults, then a stale refresh that still lists the tenant
        long stale2 = cache.begin();
        cache.written(share(a, 1, null));
        cache.apply(stale2, List.of(share(a, 9, null)));
        assertEquals(1, cache.weight(a));
        // the next refresh decides
        cache.apply(cache.begin(), List.of(share(a, 3, 1)));
        assertEquals(3, cache.weight(a));
        assertEquals(1, cache.maxConcurrentRuns(a));
    }
}
