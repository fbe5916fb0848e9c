package dev.scanflow.common;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;

/**
 * When a 5-field cron fires in a time zone, as instants. The cron is matched against the wall
 * clock of the zone, then each matching local time becomes one instant: a local time that does
 * not exist (the spring-forward gap) fires once at the first valid instant after the gap; a
 * local time that happens twice (the fall-back overlap) fires once, at its first occurrence.
 * Plain Java and cron-utils; no clock of its own. The one cron flavour of Scanflow: schedule
 * triggers fire by it, scan policies' blackout windows open by it, and both are checked with
 * {@link #problem} and {@link #zoneProblem}.
 */
public final class CronCalendar {

    /** Unix cron, 5 fields. */
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final String FIELDS = " (5 fields: minute hour day-of-month month day-of-week)";
    /** A cron that never matches again within this many local matches is treated as exhausted. */
    private static final int MAX_STEPS = 100_000;

    private final ExecutionTime cron;
    private final ZoneId zone;

    public CronCalendar(String cron, ZoneId zone) {
        this.cron = ExecutionTime.forCron(UNIX.parse(cron));
        this.zone = zone;
    }

    /** The cron with its whitespace collapsed, as it is stored. */
    public static String normalize(String cron) {
        return cron.trim().replaceAll("\\s+", " ");
    }

    /** Why a (normalized) cron cannot be used, or null when it can. */
    public static String problem(String cron) {
        try {
            UNIX.parse(cron).validate();
            return null;
        } catch (RuntimeException e) { // cron-utils refuses with IllegalArgumentException, mostly
            return "invalid cron expression '" + cron + "': " + e.getMessage() + FIELDS;
        }
    }

    /** Why a time zone name cannot be used, or null when it can. */
    public static String zoneProblem(String zone) {
        try {
            ZoneId.of(zone);
            return null;
        } catch (DateTimeException e) {
            return "unknown time zone '" + zone + "' (use an IANA name such as Europe/Paris or UTC)";
        }
    }

    public ZoneId zone() {
        return zone;
    }

    /** The first fire strictly after {@code after}, or null when there is none. */
    public Instant nextAfter(Instant after) {
        // the wall clock of the zone, kept in a UTC ZonedDateTime so that cron-utils sees no DST
        LocalDateTime wall = LocalDateTime.ofInstant(after, zone);
        // during a fall-back overlap the same wall time maps to two instants: step back one
        // hour so that a match at a repeated time after 'after' is not missed
        ZonedDateTime cursor = wall.minusHours(1).atZone(ZoneOffset.UTC);
        for (int i = 0; i < MAX_STEPS; i++) {
            var next = cron.nextExecution(cursor);
            if (next.isEmpty()) {
                return null;
            }
            cursor = next.get();
            Instant fire = instantOf(cursor.toLocalDateTime());
            if (fire.isAfter(after)) {
                return fire;
            }
        }
        return null;
    }

    /** Up to {@code max} fires in (from, to]. */
    public List<Instant> between(Instant from, Instant to, int max) {
        List<Instant> out = new ArrayList<>();
        Instant at = from;
        while (out.size() < max) {
            Instant next = nextAfter(at);
            if (next == null || next.isAfter(to)) {
                break;
            }
            out.add(next);
            at = next;
        }
        return out;
    }

    /** The next {@code count} fires after {@code after}. */
    public List<Instant> next(Instant after, int count) {
        List<Instant> out = new ArrayList<>();
        Instant at = after;
        for (int i = 0; i < count; i++) {
            Instant next = nextAfter(at);
            if (next == null) {
                break;
            }
            out.add(next);
            at = next;
        }
        return out;
    }

    /** A local time as the instant it fires: the earlier offset in an overlap, the end of a gap. */
    Instant instantOf(LocalDateTime local) {
        var offsets = zone.getRules().getValidOffsets(local);
        if (!offsets.isEmpty()) {
            return local.atOffset(offsets.get(0)).toInstant();
        }
        ZoneOffsetTransition gap = zone.getRules().getTransition(local);
        return gap.getInstant();
    }
}
