package dev.scanflow.trigger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of a schedule's due fires run, when a tick finds them: the ones on time always; of the
 * missed ones (every replica was down, or the schedule paused past them), {@code none} runs
 * none, {@code latest} the most recent within the catch-up window, {@code all} every one within
 * it. Never a burst of one run per missed minute beyond the window. Plain Java.
 */
public final class CatchupRule {

    /** A fire is on time when a tick sees it within this much of its nominal time. */
    public static final Duration ON_TIME = Duration.ofSeconds(90);
    /** The most fires {@code all} runs in one go. */
    public static final int MAX_CATCHUP_FIRES = 100;

    private CatchupRule() {
    }

    /**
     * @param run    the fires to run now, oldest first, each marked whether it is a catch-up
     * @param missed the fires that will not run
     */
    public record Outcome(List<Fire> run, List<Instant> missed) {
    }

    public record Fire(Instant at, boolean catchup) {
    }

    public static Outcome decide(List<Instant> due, Instant now, String catchup, Duration window) {
        List<Fire> run = new ArrayList<>();
        List<Instant> missed = new ArrayList<>();
        List<Instant> late = new ArrayList<>();
        for (Instant fire : due) {
            if (!fire.isBefore(now.minus(ON_TIME))) {
                run.add(new Fire(fire, false));
            } else {
                late.add(fire);
            }
        }
        List<Instant> inWindow = late.stream().filter(f -> !f.isBefore(now.minus(window))).toList();
        late.stream().filter(f -> f.isBefore(now.minus(window))).forEach(missed::add);
        List<Fire> caught = new ArrayList<>();
        switch (catchup) {
            case "none" -> missed.addAll(inWindow);
            case "all" -> {
                int from = Math.max(0, inWindow.size() - MAX_CATCHUP_FIRES);
                missed.addAll(inWindow.subList(0, from));
                inWindow.subList(from, inWindow.size()).forEach(f -> caught.add(new Fire(f, true)));
            }
            default -> {
                // latest: the most recent missed fire, unless a fire on time is running anyway
                if (!inWindow.isEmpty() && run.isEmpty()) {
                    missed.addAll(inWindow.subList(0, inWindow.size() - 1));
                    caught.add(new Fire(inWindow.get(inWindow.size() - 1), true));
                } else {
                    missed.addAll(inWindow);
                }
            }
        }
        List<Fire> all = new ArrayList<>(caught);
        all.addAll(run);
        missed.sort(null);
        return new Outcome(all, missed);
    }
}
