package dev.scanflow.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {

    @ParameterizedTest
    @CsvSource({"90s,90,1m30s", "45s,45,45s", "30m,1800,30m", "2h,7200,2h", "1h30m,5400,1h30m", "90m,5400,1h30m", "1d,86400,1d",
            "3600s,3600,1h", "1h0m5s,3605,1h5s"})
    void parsesAndNormalizes(String text, long seconds, String normalized) {
        assertEquals(Optional.of(seconds), DurationText.parseSeconds(text));
        assertEquals(normalized, DurationText.format(seconds));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "30", "m", "30 minutes", "2h30", "-5m", "1.5h", "30m2h", "PT30M"})
    void rejectsWhatIsNotADuration(String text) {
        assertTrue(DurationText.parseSeconds(text).isEmpty(), text);
    }
}
