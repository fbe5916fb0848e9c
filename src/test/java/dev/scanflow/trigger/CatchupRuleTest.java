package dev.scanflow.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatchupRuleTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:30Z");
    private static final Instant NOON = Instant.parse("2026-06-01T12:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);

    /** Every 5 minutes from 10:05 to 11:55 (10:05 .. 10:55 beyond a 1 h window), and 12:00 on time if asked. */
    private static List<Instant> fires(boolean withOnTime) {
        List<Instant> out = new ArrayList<>();
        for (Instant t = Instant.parse("2026-06-01T10:05:00Z"); t.isBefore(NOON); t = t.plusSeconds(300)) {
            out.add(t);
        }
        if (withOnTime) {
            out.add(NOON);
        }
        return out;
    }

    private static List<Instant> times(CatchupRule.Outcome o) {
        return o.run().stream().map(CatchupRule.Fire::at).toList();
    }

    @Test
    void aFireOnTimeAlwaysRuns() {
        for (String mode : List.of("none", "latest", "all")) {
            CatchupRule.Outcome o = CatchupRule.decide(List.of(NOON), NOW, mode, HOUR);
            assertEquals(List.of(new CatchupRule.Fire(NOON, false)), o.run(), mode);
            assertEquals(List.of(), o.missed(), mode);
        }
    }

    @Test
    void noneRunsNoMissedFire() {
        CatchupRule.Outcome o = CatchupRule.decide(fires(false), NOW, "none", HOUR);
        assertEquals(List.of(), o.run());
        assertEquals(23, o.missed().size());
    }

    @Test
    void latestRunsTheMostRecentMissedFireWithinTheWindowOnce() {
        CatchupRule.Outcome o = CatchupRule.decide(fires(false), NOW, "latest", HOUR);
        Instant latest = Instant.parse("2026-06-01T11:55:00Z");
        assertEquals(List.of(new CatchupRule.Fire(latest, true)), o.run());
        assertEquals(22, o.missed().size());
        assertFalse(o.missed().contains(latest));
    }

    @Test
    void latestRunsNothingExtraWhenAFireIsOnTime() {
        CatchupRule.Outcome o = CatchupRule.decide(fires(true), NOW, "latest", HOUR);
        assertEquals(List.of(NOON), times(o));
        assertEquals(23, o.missed().size());
    }

    @Test
    void allRunsEveryMissedFireWithinTheWindowAndNoOlderOne() {
        CatchupRule.Outcome o = CatchupRule.decide(fires(true), NOW, "all", HOUR);
        // 11:05 .. 11:55 (within an hour of 12:00:30), then 12:00 on time
        assertEquals(12, o.run().size());
        assertEquals(Instant.parse("2026-06-01T11:05:00Z"), o.run().get(0).at());
        assertTrue(o.run().get(0).catchup());
        assertFalse(o.run().get(11).catchup());
        // 10:05 .. 11:00: more than an hour before now
        assertEquals(12, o.missed().size());
        assertTrue(o.missed().stream().allMatch(t -> t.isBefore(NOW.minus(HOUR))));
    }

    @Test
    void aShortWindowLimitsTheCatchup() {
        CatchupRule.Outcome o = CatchupRule.decide(fires(false), NOW, "all", Duration.ofMinutes(10));
        assertEquals(List.of(Instant.parse("2026-06-01T11:55:00Z")), times(o));
    }

    @Test
    void allIsCappedSoAWeekOfMinutesIsNeverABurst() {
        List<Instant> week = new ArrayList<>();
        for (int i = 10_080; i > 0; i--) {
            week.add(NOW.minusSeconds(60L * i + 60)); // all late: none within 90 s of now
        }
        CatchupRule.Outcome o = CatchupRule.decide(week, NOW, "all", Duration.ofDays(7));
        assertEquals(CatchupRule.MAX_CATCHUP_FIRES, o.run().size());
        assertEquals(10_080 - CatchupRule.MAX_CATCHUP_FIRES, o.missed().size());
    }
}
