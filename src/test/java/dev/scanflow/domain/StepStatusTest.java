package dev.scanflow.domain;

import static dev.scanflow.domain.StepStatus.CANCELLED;
import static dev.scanflow.domain.StepStatus.COMPLETED;
import static dev.scanflow.domain.StepStatus.FAILED;
import static dev.scanflow.domain.StepStatus.PENDING;
import static dev.scanflow.domain.StepStatus.QUEUED;
import static dev.scanflow.domain.StepStatus.RUNNING;
import static dev.scanflow.domain.StepStatus.SKIPPED;
import static dev.scanflow.domain.StepStatus.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The step and run state machines: every legal edge, and the illegal ones refused. */
class StepStatusTest {

    /** The step state machine as specified, written out independently of the production table. */
    private static final Map<StepStatus, Set<StepStatus>> STEP_EDGES = Map.of(
            PENDING, EnumSet.of(QUEUED, SKIPPED, CANCELLED, FAILED),
            QUEUED, EnumSet.of(RUNNING, CANCELLED, TIMEOUT, FAILED, SKIPPED),
            RUNNING, EnumSet.of(COMPLETED, FAILED, TIMEOUT, CANCELLED, QUEUED),
            FAILED, EnumSet.of(QUEUED, PENDING),
            TIMEOUT, EnumSet.of(QUEUED, PENDING),
            CANCELLED, EnumSet.of(PENDING),
            SKIPPED, EnumSet.of(PENDING),
            COMPLETED, EnumSet.noneOf(StepStatus.class));

    private static final Map<RunStatus, Set<RunStatus>> RUN_EDGES = Map.of(
            RunStatus.PENDING, EnumSet.of(RunStatus.RUNNING, RunStatus.CANCELLED),
            RunStatus.RUNNING, EnumSet.of(RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.TIMEOUT),
            RunStatus.FAILED, EnumSet.of(RunStatus.RUNNING),
            RunStatus.CANCELLED, EnumSet.of(RunStatus.RUNNING),
            RunStatus.TIMEOUT, EnumSet.of(RunStatus.RUNNING),
            RunStatus.COMPLETED, EnumSet.noneOf(RunStatus.class));

    // ------------------------------------------------------------------ step machine

    @Test
    void everyLegalStepEdgeIsAllowed() {
        int edges = 0;
        for (var entry : STEP_EDGES.entrySet()) {
            for (StepStatus to : entry.getValue()) {
                StepStatus from = entry.getKey();
                assertTrue(from.canTransitionTo(to), from + " -> " + to);
                from.checkTransition(to); // does not throw
                StepState s = step(from);
                s.moveTo(to);
                assertEquals(to, s.status);
                assertTrue(s.dirty(), "moveTo marks the step dirty");
                edges++;
            }
        }
        assertEquals(20, edges);
    }

    @Test
    void everyOtherStepEdgeIsRefused() {
        for (StepStatus from : StepStatus.values()) {
            for (StepStatus to : StepStatus.values()) {
                if (STEP_EDGES.get(from).contains(to)) {
                    continue;
                }
                assertFalse(from.canTransitionTo(to), from + " -> " + to);
                assertThrows(IllegalTransitionException.class, () -> from.checkTransition(to), from + " -> " + to);
            }
        }
    }

    @Test
    void representativeIllegalStepEdgesThrowAndLeaveTheStepUnchanged() {
        List<StepStatus[]> illegal = new ArrayList<>();
        for (StepStatus to : StepStatus.values()) {
            illegal.add(new StepStatus[] {COMPLETED, to}); // completed -> anything
        }
        illegal.add(new StepStatus[] {PENDING, RUNNING});
        illegal.add(new StepStatus[] {PENDING, COMPLETED});
        illegal.add(new StepStatus[] {PENDING, TIMEOUT});
        illegal.add(new StepStatus[] {SKIPPED, QUEUED});
        illegal.add(new StepStatus[] {SKIPPED, RUNNING});
        illegal.add(new StepStatus[] {RUNNING, PENDING});
        illegal.add(new StepStatus[] {RUNNING, RUNNING});
        illegal.add(new StepStatus[] {RUNNING, SKIPPED});
        illegal.add(new StepStatus[] {QUEUED, PENDING});
        illegal.add(new StepStatus[] {QUEUED, COMPLETED});
        illegal.add(new StepStatus[] {QUEUED, QUEUED});
        illegal.add(new StepStatus[] {CANCELLED, QUEUED});
        illegal.add(new StepStatus[] {CANCELLED, RUNNING});
        illegal.add(new StepStatus[] {FAILED, RUNNING});
        illegal.add(new StepStatus[] {FAILED, COMPLETED});
        illegal.add(new StepStatus[] {TIMEOUT, RUNNING});
        for (StepStatus[] edge : illegal) {
            StepState s = step(edge[0]);
            var e = assertThrows(IllegalTransitionException.class, () -> s.moveTo(edge[1]), edge[0] + " -> " + edge[1]);
            assertEquals("illegal step transition " + edge[0].wire() + " -> " + edge[1].wire(), e.getMessage());
            assertEquals(edge[0], s.status, "an illegal move changes nothing");
            assertFalse(s.dirty(), "an illegal move does not mark the step dirty");
        }
    }

    @Test
    void illegalTransitionIsAnIllegalStateException() {
        assertThrows(IllegalStateException.class, () -> COMPLETED.checkTransition(RUNNING));
    }

    @Test
    void onlyRunsThatEndedWithoutSuccessAreRetriable() {
        // the runs API's retry and the decider read the same transition table
        for (RunStatus s : RunStatus.values()) {
            boolean expected = s == RunStatus.FAILED || s == RunStatus.CANCELLED || s == RunStatus.TIMEOUT;
            org.junit.jupiter.api.Assertions.assertEquals(expected, s.retriable(), s.wire());
        }
    }

    @Test
    void stepStatusProperties() {
        assertEquals(EnumSet.of(COMPLETED, FAILED, SKIPPED, CANCELLED, TIMEOUT), filter(StepStatus::terminal));
        assertEquals(EnumSet.of(FAILED, TIMEOUT, CANCELLED), filter(StepStatus::unsuccessful));
        assertEquals(EnumSet.of(QUEUED, RUNNING), filter(StepStatus::active));
        for (StepStatus s : StepStatus.values()) {
            assertEquals(s.name().toLowerCase(), s.wire());
            assertEquals(s, StepStatus.fromWire(s.wire()));
            assertEquals(s, StepStatus.fromWire(s.name()));
        }
    }

    // ------------------------------------------------------------------ run machine

    @Test
    void everyLegalRunEdgeIsAllowed() {
        int edges = 0;
        for (var entry : RUN_EDGES.entrySet()) {
            for (RunStatus to : entry.getValue()) {
                RunStatus from = entry.getKey();
                assertTrue(from.canTransitionTo(to), from + " -> " + to);
                from.checkTransition(to);
                RunState r = run(from);
                r.moveTo(to);
                assertEquals(to, r.status);
                assertTrue(r.dirty());
                edges++;
            }
        }
        assertEquals(9, edges);
    }

    @Test
    void everyOtherRunEdgeIsRefused() {
        for (RunStatus from : RunStatus.values()) {
            for (RunStatus to : RunStatus.values()) {
                if (RUN_EDGES.get(from).contains(to)) {
                    continue;
                }
                assertFalse(from.canTransitionTo(to), from + " -> " + to);
                RunState r = run(from);
                var e = assertThrows(IllegalTransitionException.class, () -> r.moveTo(to), from + " -> " + to);
                assertEquals("illegal run transition " + from.wire() + " -> " + to.wire(), e.getMessage());
                assertEquals(from, r.status);
                assertFalse(r.dirty());
            }
        }
    }

    @Test
    void representativeIllegalRunEdges() {
        for (RunStatus to : RunStatus.values()) {
            assertThrows(IllegalTransitionException.class, () -> RunStatus.COMPLETED.checkTransition(to));
        }
        assertThrows(IllegalTransitionException.class, () -> RunStatus.PENDING.checkTransition(RunStatus.COMPLETED));
        assertThrows(IllegalTransitionException.class, () -> RunStatus.PENDING.checkTransition(RunStatus.FAILED));
        assertThrows(IllegalTransitionException.class, () -> RunStatus.RUNNING.checkTransition(RunStatus.PENDING));
        assertThrows(IllegalTransitionException.class, () -> RunStatus.RUNNING.checkTransition(RunStatus.RUNNING));
        assertThrows(IllegalTransitionException.class, () -> RunStatus.FAILED.checkTransition(RunStatus.COMPLETED));
        assertThrows(IllegalTransitionException.class, () -> RunStatus.CANCELLED.checkTransition(RunStatus.PENDING));
    }

    @Test
    void runStatusProperties() {
        for (RunStatus s : RunStatus.values()) {
            assertEquals(s == RunStatus.COMPLETED || s == RunStatus.FAILED || s == RunStatus.CANCELLED
                    || s == RunStatus.TIMEOUT, s.terminal(), s.name());
            assertEquals(s.name().toLowerCase(), s.wire());
            assertEquals(s, RunStatus.fromWire(s.wire()));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static EnumSet<StepStatus> filter(java.util.function.Predicate<StepStatus> p) {
        EnumSet<StepStatus> out = EnumSet.noneOf(StepStatus.class);
        for (StepStatus s : StepStatus.values()) {
            if (p.test(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private static StepState step(StepStatus status) {
        return new StepState(UUID.randomUUID(), "s", "S", 1, 0, "tool", List.of("cap"), Map.of(), 60, List.of(), null,
                null, 0, status, 1, 1);
    }

    private static RunState run(RunStatus status) {
        return new RunState(UUID.randomUUID(), UUID.randomUUID(), status, 1, false, null, null, Map.of(), Map.of(),
                Map.of(), List.of());
    }
}
