package dev.scanflow.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The dispatch plan's fair share, priorities and budgets, as plain logic (the engine's passes are tested end to end in FairAdmissionTest). */
class FairShareTest {

    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    private static final Duration AGING = Duration.ofMinutes(5);
    private static final UUID A = new UUID(0, 1);
    private static final UUID B = new UUID(0, 2);

    private static FairShare.Waiting step(UUID tenant, String priority, int secondsAgo, String capability, String target) {
        return new FairShare.Waiting(UUID.randomUUID(), UUID.randomUUID(), tenant, priority,
                NOW.minusSeconds(secondsAgo), List.of(capability), null, null, target);
    }

    private static WorkerMatcher.Candidate shared(String id, int slots, String... capabilities) {
        return new WorkerMatcher.Candidate(id, null, Set.of(capabilities), Set.of(), slots, 0, true, false);
    }

    private static List<FairShare.Waiting> steps(List<FairShare.Pick> picks) {
        return picks.stream().map(FairShare.Pick::step).toList();
    }

    @Test
    void aFloodingTenantDoesNotHoldBackANewcomerForMoreThanOneSlot() {
        List<FairShare.Waiting> waiting = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            waiting.add(step(A, "normal", 600 - i % 600, "sast", null));
        }
        FairShare.Waiting b = step(B, "normal", 0, "sast", null);
        waiting.add(b);
        // A holds 8 shared slots, one just freed
        var picks = FairShare.plan(waiting, List.of(shared("w1", 1, "sast")), Map.of(A, 8), Map.of(), Map.of(), NOW, AGING);
        assertEquals(List.of(b), steps(picks));
    }

    @Test
    void weightsThreeToOneShareTheSlotsThreeToOne() {
        int aPicks = 0;
        Map<UUID, Integer> active = new HashMap<>(Map.of(A, 0, B, 0));
        // 400 dispatches, one slot at a time; a slot frees from the tenant that holds most for its weight... here by
        // round-robin completion of the oldest active step, as equal-length steps finish
        List<UUID> running = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            if (running.size() == 8) {
                active.merge(running.remove(0), -1, Integer::sum);
            }
            var picks = FairShare.plan(List.of(step(A, "normal", 10, "sast", null), step(B, "normal", 10, "sast", null)),
                    List.of(shared("w", 1, "sast")), active, Map.of(A, 3, B, 1), Map.of(), NOW, AGING);
            assertEquals(1, picks.size());
            UUID t = picks.get(0).step().tenantId();
            active.merge(t, 1, Integer::sum);
            running.add(t);
            if (t.equals(A)) {
                aPicks++;
            }
        }
        assertTrue(aPicks >= 280 && aPicks <= 320, "A's share of 400 dispatches: " + aPicks);
    }

    @Test
    void aTenantWhoseStepsNoFreeWorkerCanRunHoldsBackNobody() {
        FairShare.Waiting dast = step(A, "critical", 100, "dast", null);
        FairShare.Waiting sast = step(B, "low", 1, "sast", null);
        var picks = FairShare.plan(List.of(dast, sast), List.of(shared("w", 4, "sast")), Map.of(), Map.of(), Map.of(),
                NOW, AGING);
        assertEquals(List.of(sast), steps(picks));
    }

    @Test
    void withinATenantPriorityThenAgeAndAStepOverItsBudgetIsPassedOver() {
        FairShare.Waiting oldNormal = step(A, "normal", 60, "dast", "shop.example.com");
        FairShare.Waiting high = step(A, "high", 1, "dast", "shop.example.com");
        FairShare.Waiting other = step(A, "low", 1, "dast", "api.example.com");
        var picks = FairShare.plan(List.of(oldNormal, high, other), List.of(shared("w", 3, "dast")), Map.of(),
                Map.of(), Map.of("shop.example.com", 1, "api.example.com", 1), NOW, AGING);
        // the high step takes shop's one place; the older normal one waits for it; api's low step goes
        assertEquals(List.of(high, other), steps(picks));
    }

    @Test
    void aLowStepRisesOneLevelPerAgingAndNeverPastCritical() {
        assertEquals(3, FairShare.rank("low", NOW, NOW, AGING));
        assertEquals(2, FairShare.rank("low", NOW.minus(AGING), NOW, AGING));
        assertEquals(0, FairShare.rank("low", NOW.minus(AGING.multipliedBy(3)), NOW, AGING));
        assertEquals(0, FairShare.rank("low", NOW.minus(AGING.multipliedBy(30)), NOW, AGING));
        FairShare.Waiting agedLow = step(A, "low", (int) AGING.multipliedBy(3).toSeconds() + 1, "sast", null);
        FairShare.Waiting freshHigh = step(A, "high", 0, "sast", null);
        var picks = FairShare.plan(List.of(freshHigh, agedLow), List.of(shared("w", 1, "sast")), Map.of(), Map.of(),
                Map.of(), NOW, AGING);
        assertEquals(List.of(agedLow), steps(picks));
    }

    @Test
    void aRunsPriorityDefaultsFromItsAssetsCriticality() {
        assertEquals("critical", FairShare.priorityOf("critical"));
        assertEquals("high", FairShare.priorityOf("high"));
        assertEquals("normal", FairShare.priorityOf("medium"));
        assertEquals("low", FairShare.priorityOf("low"));
        assertEquals("normal", FairShare.priorityOf(null));
    }

    @Test
    void budgetsBoundPlacesAndTheRateIsSharedAmongThem() {
        assertEquals(100, new TargetBudget("h", 1, 100).stepRate(null));
        assertEquals(25, new TargetBudget("h", 4, 100).stepRate(null));
        assertEquals(30, new TargetBudget("h", 1, 100).stepRate(30));
        assertEquals(30, new TargetBudget("h", 1, null).stepRate(30));
        assertNull(new TargetBudget("h", 1, null).stepRate(null));
        assertEquals(1, new TargetBudget("h", 8, 3).stepRate(null));
    }
}
