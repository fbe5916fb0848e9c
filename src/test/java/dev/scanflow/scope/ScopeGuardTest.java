package dev.scanflow.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.domain.RunState;
import dev.scanflow.domain.RunStatus;
import dev.scanflow.domain.ScopeCheck.Verdict;
import dev.scanflow.domain.StepState;
import dev.scanflow.domain.StepStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The guard the decider asks, without Quarkus: what applies without a policy (both settings),
 * which steps are active, names held while they resolve, fail closed before the policies are
 * loaded, and a refresh that read the table before this replica's write never undoes it.
 */
class ScopeGuardTest {

    private static final UUID TENANT = UUID.randomUUID();
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    private final PolicyCache cache = new PolicyCache(null);
    /** Static hosts, and a resolver that knows no name (as DNS answers for nowhere.test). */
    private final HostAddresses hosts = new HostAddresses(
            HostAddresses.statics(List.of("db.scope.test=10.20.5.7", "db.scope.test=10.20.5.8")), Duration.ofMinutes(1),
            name -> List.of());

    private static RunState run(String url, StepState step) {
        return new RunState(UUID.randomUUID(), TENANT, RunStatus.RUNNING, 5, false, null, NOW,
                Map.of("type", "server", "name", "x", "url", url), Map.of(), Map.of(), List.of(step));
    }

    private static StepState step(String... capabilities) {
        return new StepState(UUID.randomUUID(), "probe", "Probe", 1, 0, "nmap", List.of(capabilities), Map.of(), 60,
                List.of(), null, null, 30, StepStatus.PENDING, 0, 1);
    }

    private static ScanPolicies.Stored stored(String allowed, String excluded, int version) {
        var doc = new ScanPolicyReader.Document(List.of(allowed), List.of(excluded), List.of(), List.of("network"), List.of());
        return new ScanPolicies.Stored(TENANT, doc, version, "admin", NOW.plusSeconds(version));
    }

    private void loaded() {
        cache.apply(cache.begin(), Set.of(), List.of());
    }

    @Test
    void withoutAPolicyTheSettingDecidesForActiveStepsOnly() {
        loaded();
        ScopeGuard allow = new ScopeGuard(cache, hosts, false);
        ScopeGuard deny = new ScopeGuard(cache, hosts, true);
        StepState nmap = step("network");
        assertEquals(Verdict.ALLOW, allow.check(run("ssh://10.0.0.5", nmap), nmap, NOW));
        Verdict refused = deny.check(run("ssh://10.0.0.5", nmap), nmap, NOW);
        assertEquals("no_policy", refused.kind());
        assertTrue(refused.rule().contains("scanflow.scope.without-policy=deny-active"), refused.rule());
        StepState sast = step("sast");
        assertEquals(Verdict.ALLOW, deny.check(run("ssh://10.0.0.5", sast), sast, NOW), "not an active capability");
        assertTrue(ScanPolicy.denyWithoutPolicy("deny-active"));
        assertThrows(IllegalArgumentException.class, () -> ScanPolicy.denyWithoutPolicy("deny"));
    }

    @Test
    void policiesNotLoadedYetHoldEveryStep() {
        StepState sast = step("sast");
        Verdict held = new ScopeGuard(cache, hosts, false).check(run("", sast), sast, NOW);
        assertEquals(Verdict.Outcome.WAIT, held.outcome());
        assertEquals(NOW.plus(ScopeGuard.RECHECK), held.until());
    }

    @Test
    void aNameIsHeldWhileItResolvesAndStaticHostsNeedNoDns() {
        loaded();
        cache.written(stored("10.20.0.0/16", "10.20.5.0/24", 1).compile());
        ScopeGuard guard = new ScopeGuard(cache, hosts, false);
        StepState nmap = step("network");
        Verdict excluded = guard.check(run("https://db.scope.test", nmap), nmap, NOW);
        assertEquals("excluded", excluded.kind());
        assertEquals("db.scope.test resolves to 10.20.5.7, in excluded_targets 10.20.5.0/24", excluded.rule());
        // a name not resolved yet: held for a second, then refused once the lookup found nothing
        Verdict held = guard.check(run("https://nowhere.test", nmap), nmap, NOW);
        assertEquals(Verdict.Outcome.WAIT, held.outcome());
        assertEquals("resolving nowhere.test", held.rule());
        assertEquals(NOW.plus(ScopeGuard.RECHECK), held.until());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hosts.known("nowhere.test") != null);
        assertEquals("unresolvable", guard.check(run("https://nowhere.test", nmap), nmap, NOW).kind());
    }

    @Test
    void aRefreshThatReadTheTableBeforeAWriteDoesNotUndoIt() {
        loaded();
        long before = cache.begin();          // a refresh starts reading...
        cache.written(stored("10.20.0.0/16", "10.20.5.0/24", 2).compile()); // ...this replica writes version 2...
        cache.apply(before, Set.of(TENANT), List.of(stored("10.0.0.0/8", "10.9.0.0/16", 1))); // ...it read version 1
        assertEquals(2, cache.of(TENANT).version());
        long beforeDelete = cache.begin();
        cache.deleted(TENANT);
        cache.apply(beforeDelete, Set.of(TENANT), List.of(stored("10.0.0.0/8", "10.9.0.0/16", 2)));
        assertNull(cache.of(TENANT), "a delete is not undone either");
        cache.apply(cache.begin(), Set.of(TENANT), List.of(stored("10.0.0.0/8", "10.9.0.0/16", 3)));
        assertEquals(3, cache.of(TENANT).version(), "a later refresh applies");
        cache.apply(cache.begin(), Set.of(), List.of());
        assertNull(cache.of(TENANT), "gone from the table, gone from the cache");
    }

    @Test
    void staticHostsAreReadStrictly() {
        assertEquals(List.of("10.20.5.7", "10.20.5.8"),
                hosts.known("db.scope.test").stream().map(a -> a.getHostAddress()).toList());
        assertThrows(IllegalArgumentException.class, () -> HostAddresses.statics(List.of("db.internal:10.0.0.1")));
        assertThrows(IllegalArgumentException.class, () -> HostAddresses.statics(List.of("db.internal=10.1")));
    }
}
