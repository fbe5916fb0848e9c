package dev.scanflow.trigger;

import dev.scanflow.config.ScanflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The time schedules see. Real time by default; tests replace it ({@link #use}), and
 * {@code scanflow.schedules.clock-speed} with a shared {@code clock-epoch} makes it run faster
 * on every replica alike (a day of a minutely schedule in a few minutes).
 */
@ApplicationScoped
public class ScheduleClock {

    private volatile Clock clock;

    public ScheduleClock(ScanflowConfig config) {
        double speed = config.schedules().clockSpeed();
        if (speed == 1.0) {
            this.clock = Clock.systemUTC();
        } else {
            Instant epoch = config.schedules().clockEpoch().orElseThrow(() -> new IllegalArgumentException(
                    "scanflow.schedules.clock-speed needs scanflow.schedules.clock-epoch, shared by every replica"));
            this.clock = new Accelerated(epoch, speed);
        }
    }

    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** For tests: the clock schedules see from now on. */
    public void use(Clock replacement) {
        this.clock = replacement;
    }

    /** Real time since the epoch, multiplied. */
    static final class Accelerated extends Clock {
        private final Instant epoch;
        private final double speed;

        Accelerated(Instant epoch, double speed) {
            this.epoch = epoch;
            this.speed = speed;
        }

        @Override
        public Instant instant() {
            long real = Duration.between(epoch, Instant.now()).toMillis();
            return epoch.plusMillis((long) (real * speed));
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
