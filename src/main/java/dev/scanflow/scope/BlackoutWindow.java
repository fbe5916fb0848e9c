package dev.scanflow.scope;

import dev.scanflow.common.CronCalendar;
import dev.scanflow.domain.DurationText;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * A time when active steps wait: it opens each time the cron fires on the zone's wall clock
 * ({@link CronCalendar}: a fire in a spring-forward gap opens at the end of the gap, a repeated
 * wall time opens once) and stays open for the duration, counted in real time (an 8h window
 * over a DST change is still 8 hours). Windows that touch or overlap are one, followed for at
 * most {@link #MAX_LINKS} fires: the engine asks again when that end comes, and a check stays
 * cheap on the engine's path whatever the cron. The last open window is remembered, so checks
 * while it is open cost no cron arithmetic.
 */
final class BlackoutWindow {

    /** Fires followed to find where overlapping windows end. */
    static final int MAX_LINKS = 16;

    /** A window found open: from when, until when. */
    private record Open(Instant from, Instant until) {
    }

    final String cron;
    final String duration;
    final String timezone;
    private final CronCalendar calendar;
    private final Duration length;
    private volatile Open last;

    BlackoutWindow(String cron, String duration, String timezone) {
        this.cron = cron;
        this.duration = duration;
        this.timezone = timezone;
        this.calendar = new CronCalendar(cron, ZoneId.of(timezone));
        this.length = Duration.ofSeconds(DurationText.parseSeconds(duration).orElseThrow());
    }

    /** When the window open at {@code now} closes, or null when it is not open. */
    Instant openUntil(Instant now) {
        Open known = last;
        if (known != null && !now.isBefore(known.from()) && now.isBefore(known.until())) {
            return known.until();
        }
        Instant opened = calendar.nextAfter(now.minus(length));
        if (opened == null || opened.isAfter(now)) {
            return null;
        }
        Instant end = opened.plus(length);
        Instant fire = opened;
        for (int i = 0; i < MAX_LINKS; i++) {
            fire = calendar.nextAfter(fire);
            if (fire == null || fire.isAfter(end)) {
                break;
            }
            Instant next = fire.plus(length);
            if (next.isAfter(end)) {
                end = next;
            }
        }
        last = new Open(opened, end);
        return end;
    }

    @Override
    public String toString() {
        return "'" + cron + "' for " + duration + " (" + timezone + ")";
    }
}
