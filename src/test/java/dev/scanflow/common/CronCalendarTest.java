package dev.scanflow.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fire times across the 2026 daylight-saving transitions of Europe/Berlin and America/New_York. */
class CronCalendarTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static List<Instant> fires(String cron, ZoneId zone, String after, int count) {
        return new CronCalendar(cron, zone).next(Instant.parse(after), count);
    }

    private static List<Instant> at(String... instants) {
        return Arrays.stream(instants).map(Instant::parse).toList();
    }

    @Test
    void berlinSpringForwardFiresAMissingLocalTimeOnceAtTheEndOfTheGap() {
        // 2026-03-29 02:00 CET jumps to 03:00 CEST: 02:30 does not exist that night
        assertEquals(at("2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"),
                fires("30 2 * * *", BERLIN, "2026-03-27T12:00:00Z", 3));
    }

    @Test
    void berlinSpringForwardFiresEveryMatchInTheGapAsOneFire() {
        // 02:00, 02:15, 02:30, 02:45 do not exist; they and 03:00 are the same instant, fired once
        assertEquals(at("2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z", "2026-03-29T01:30:00Z"),
                fires("*/15 * * * *", BERLIN, "2026-03-29T00:30:00Z", 4));
    }

    @Test
    void berlinFallBackFiresARepeatedLocalTimeOnceAtItsFirstOccurrence() {
        // 2026-10-25 03:00 CEST goes back to 02:00 CET: 02:30 happens at 00:30Z and at 01:30Z
        assertEquals(at("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", "2026-10-27T01:30:00Z"),
                fires("30 2 * * *", BERLIN, "2026-10-24T12:00:00Z", 3));
    }

    @Test
    void berlinFallBackDoesNotRepeatTheHourThatHappensTwice() {
        assertEquals(at("2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T02:00:00Z", "2026-10-25T02:30:00Z"),
                fires("*/30 * * * *", BERLIN, "2026-10-24T23:45:00Z", 4));
        // asked from inside the repeated hour, the next fire is still after it
        assertEquals(at("2026-10-25T02:00:00Z"), fires("*/30 * * * *", BERLIN, "2026-10-25T01:15:00Z", 1));
    }

    @Test
    void newYorkSpringForward() {
        // 2026-03-08 02:00 EST jumps to 03:00 EDT
        assertEquals(at("2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"),
                fires("30 2 * * *", NEW_YORK, "2026-03-07T00:00:00Z", 3));
    }

    @Test
    void newYorkFallBack() {
        // 2026-11-01 02:00 EDT goes back to 01:00 EST: 01:30 happens at 05:30Z and at 06:30Z
        assertEquals(at("2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", "2026-11-03T06:30:00Z"),
                fires("30 1 * * *", NEW_YORK, "2026-10-31T12:00:00Z", 3));
        assertEquals(at("2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z", "2026-11-01T08:00:00Z"),
                fires("0 * * * *", NEW_YORK, "2026-11-01T04:30:00Z", 3),
                "01:00 EDT, then 02:00 EST: 01:00 EST is not fired again");
    }

    @Test
    void utcAndBetween() {
        CronCalendar minutely = new CronCalendar("* * * * *", ZoneId.of("UTC"));
        assertEquals(Instant.parse("2026-06-01T10:01:00Z"), minutely.nextAfter(Instant.parse("2026-06-01T10:00:00Z")));
        assertEquals(Instant.parse("2026-06-01T10:01:00Z"), minutely.nextAfter(Instant.parse("2026-06-01T10:00:59.999Z")));
        assertEquals(at("2026-06-01T10:01:00Z", "2026-06-01T10:02:00Z", "2026-06-01T10:03:00Z"),
                minutely.between(Instant.parse("2026-06-01T10:00:00Z"), Instant.parse("2026-06-01T10:03:00Z"), 10));
        assertEquals(5, minutely.between(Instant.parse("2026-06-01T10:00:00Z"), Instant.parse("2026-06-01T12:00:00Z"), 5)
                .size());
        // the document's weekly example: Sunday midnight
        assertEquals(Instant.parse("2026-12-06T00:00:00Z"),
                new CronCalendar("0 0 * * 0", ZoneId.of("UTC")).nextAfter(Instant.parse("2026-12-01T00:00:00Z")));
    }
}
