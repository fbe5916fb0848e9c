package dev.scanflow.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.domain.WorkerMatcher.Candidate;
import dev.scanflow.domain.WorkerMatcher.Need;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WorkerMatcherTest {

    private static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-00000000000a");
    private static final UUID OTHER_TENANT = UUID.fromString("00000000-0000-0000-0000-00000000000b");

    private static final Need SAST = new Need(TENANT, List.of("sast"), "semgrep");

    /** A shared, online, idle worker with capability sast and tool semgrep. */
    private static W worker(String id) {
        return new W(id);
    }

    private static final class W {
        final String id;
        UUID tenant;
        Set<String> caps = Set.of("sast");
        Set<String> tools = Set.of("semgrep");
        int max = 4;
        int active;
        boolean online = true;
        boolean draining;

        W(String id) {
            this.id = id;
        }

        W tenant(UUID t) {
            tenant = t;
            return this;
        }

        W caps(String... c) {
            caps = Set.of(c);
            return this;
        }

        W tools(String... t) {
            tools = Set.of(t);
            return this;
        }

        W load(int active, int max) {
            this.active = active;
            this.max = max;
            return this;
        }

        W offline() {
            online = false;
            return this;
        }

        W draining() {
            draining = true;
            return this;
        }

        Candidate c() {
            return new Candidate(id, tenant, caps, tools, max, active, online, draining);
        }
    }

    private static Optional<String> choose(Need need, List<Collection<String>> otherPending, Set<String> avoid, W... ws) {
        List<Candidate> list = java.util.Arrays.stream(ws).map(W::c).toList();
        return WorkerMatcher.choose(list, need, otherPending, avoid).map(Candidate::id);
    }

    private static Optional<String> choose(Need need, W... ws) {
        return choose(need, List.of(), Set.of(), ws);
    }

    // ------------------------------------------------------------------ eligibility

    @Test
    void offlineWorkerIsNeverChosen() {
        assertFalse(WorkerMatcher.eligible(worker("w1").offline().c(), SAST));
        assertEquals(Optional.empty(), choose(SAST, worker("w1").offline()));
        assertEquals(Optional.of("w2"), choose(SAST, worker("w1").offline(), worker("w2").load(3, 4)));
    }

    @Test
    void drainingWorkerIsNeverChosen() {
        assertFalse(WorkerMatcher.eligible(worker("w1").draining().c(), SAST));
        assertEquals(Optional.empty(), choose(SAST, worker("w1").draining()));
        assertEquals(Optional.of("w2"), choose(SAST, worker("w1").draining().tenant(TENANT), worker("w2").load(3, 4)));
    }

    @Test
    void fullWorkerIsNeverChosen() {
        assertFalse(WorkerMatcher.eligible(worker("w1").load(4, 4).c(), SAST));
        assertFalse(WorkerMatcher.eligible(worker("w1").load(5, 4).c(), SAST));
        assertFalse(WorkerMatcher.eligible(worker("w1").load(0, 0).c(), SAST));
        assertTrue(WorkerMatcher.eligible(worker("w1").load(3, 4).c(), SAST));
        assertEquals(Optional.empty(), choose(SAST, worker("w1").load(4, 4)));
        assertEquals(Optional.of("w2"), choose(SAST, worker("w1").load(2, 2).tenant(TENANT), worker("w2").load(0, 1).tools()));
    }

    @Test
    void anotherTenantsDedicatedWorkerIsNeverChosen() {
        assertFalse(WorkerMatcher.eligible(worker("w1").tenant(OTHER_TENANT).c(), SAST));
        assertTrue(WorkerMatcher.eligible(worker("w1").tenant(TENANT).c(), SAST));
        assertTrue(WorkerMatcher.eligible(worker("w1").c(), SAST)); // shared
        assertEquals(Optional.empty(), choose(SAST, worker("w1").tenant(OTHER_TENANT)));
        // not even as a last resort, nor when it is the only one with the tool
        assertEquals(Optional.of("w2"), choose(SAST, List.of(), Set.of("w2"),
                worker("w1").tenant(OTHER_TENANT), worker("w2").tools().load(3, 4)));
        // a run without a tenant cannot use any dedicated worker
        Need noTenant = new Need(null, List.of("sast"), null);
        assertFalse(WorkerMatcher.eligible(worker("w1").tenant(TENANT).c(), noTenant));
        assertTrue(WorkerMatcher.eligible(worker("w1").c(), noTenant));
    }

    @Test
    void missingCapabilityExcludes() {
        Need two = new Need(TENANT, List.of("infra", "network"), "nmap");
        assertFalse(WorkerMatcher.eligible(worker("w1").caps("infra").tools("nmap").c(), two));
        assertTrue(WorkerMatcher.eligible(worker("w1").caps("infra", "network", "dast").c(), two));
        assertEquals(Optional.of("w2"), choose(two,
                worker("w1").caps("infra").tools("nmap").tenant(TENANT),
                worker("w2").caps("network", "infra").tools().load(3, 4)));
        assertEquals(Optional.empty(), choose(two, worker("w1").caps("infra"), worker("w2").caps("network")));
        // a step without capabilities runs anywhere
        assertTrue(WorkerMatcher.eligible(worker("w1").caps().c(), new Need(TENANT, List.of(), null)));
    }

    @Test
    void emptyWhenNoneEligible() {
        assertEquals(Optional.empty(), choose(SAST));
        assertEquals(Optional.empty(), choose(SAST, List.of(), Set.of("w1"),
                worker("w1").offline(), worker("w2").draining(), worker("w3").load(1, 1),
                worker("w4").tenant(OTHER_TENANT), worker("w5").caps("sca")));
    }

    // ------------------------------------------------------------------ preferences

    @Test
    void toolMatchIsPreferredOverNoToolMatch() {
        // w2 is dedicated and idle but lacks the tool; w1 has the tool and wins anyway
        assertEquals(Optional.of("w1"), choose(SAST,
                worker("w2").tools("bandit").tenant(TENANT).load(0, 4),
                worker("w1").tools("semgrep", "trivy").load(3, 4)));
        // the tool is a preference, not a requirement
        assertEquals(Optional.of("w2"), choose(SAST, worker("w2").tools("bandit")));
    }

    @Test
    void withoutAToolTheNextPreferencesDecide() {
        Need noTool = new Need(TENANT, List.of("sast"), null);
        assertEquals(Optional.of("w2"), choose(noTool,
                worker("w1").tools("semgrep").load(0, 4),
                worker("w2").tools().tenant(TENANT).load(3, 4)));
    }

    @Test
    void dedicatedWorkerIsPreferredOverShared() {
        assertEquals(Optional.of("w-dedicated"), choose(SAST,
                worker("w-a-shared").load(0, 4),
                worker("w-dedicated").tenant(TENANT).load(3, 4)));
    }

    @Test
    void coveringMorePendingStepsIsPreferred() {
        List<Collection<String>> pending = List.of(List.of("sca"), List.of("secrets"), List.of("dast"));
        assertEquals(Optional.of("w2"), choose(SAST, pending, Set.of(),
                worker("w1").caps("sast", "sca").load(0, 4),
                worker("w2").caps("sast", "sca", "secrets").load(3, 4)));
        // a pending step needing two capabilities is covered only by a worker with both
        List<Collection<String>> infra = List.of(List.of("infra", "network"));
        assertEquals(Optional.of("w2"), choose(SAST, infra, Set.of(),
                worker("w1").caps("sast", "infra").load(0, 4),
                worker("w2").caps("sast", "infra", "network").load(3, 4)));
    }

    @Test
    void dedicatedBeatsCoverage() {
        List<Collection<String>> pending = List.of(List.of("sca"));
        assertEquals(Optional.of("w2"), choose(SAST, pending, Set.of(),
                worker("w1").caps("sast", "sca"),
                worker("w2").tenant(TENANT)));
    }

    @Test
    void leastLoadedIsPreferred() {
        // load is the ratio active / max_concurrency, not the active count
        assertEquals(Optional.of("w2"), choose(SAST,
                worker("w1").load(1, 2),
                worker("w2").load(2, 8)));
        assertEquals(Optional.of("w3"), choose(SAST,
                worker("w1").load(3, 4), worker("w3").load(0, 1), worker("w2").load(1, 4)));
    }

    @Test
    void idBreaksTies() {
        assertEquals(Optional.of("w-a"), choose(SAST, worker("w-c"), worker("w-a"), worker("w-b")));
        assertEquals(Optional.of("w-a"), choose(SAST, worker("w-b"), worker("w-a")));
        assertEquals(Optional.of("w-a"), choose(SAST, worker("w-a"), worker("w-b")));
    }

    @Test
    void avoidedWorkerIsOnlyALastResort() {
        // w1 would win on every other criterion
        W best = worker("w1").tenant(TENANT).caps("sast", "sca");
        W worse = worker("w2").tools().load(3, 4);
        assertEquals(Optional.of("w1"), choose(SAST, List.of(List.of("sca")), Set.of(), best, worse));
        assertEquals(Optional.of("w2"), choose(SAST, List.of(List.of("sca")), Set.of("w1"), best, worse));
        // the only eligible one is still used
        assertEquals(Optional.of("w1"), choose(SAST, List.of(), Set.of("w1"), best, worker("w3").offline()));
        // among several avoided workers the usual order applies
        assertEquals(Optional.of("w1"), choose(SAST, List.of(), Set.of("w1", "w2"), best, worse));
    }
}
