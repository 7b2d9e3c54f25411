package dev.orch.ctl.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.ctl.UsageException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {
    @ParameterizedTest
    @CsvSource({"500ms, 500000000", "5s, 5000000000", "1m, 60000000000", "1h, 3600000000000",
        "1m30s, 90000000000", "1.5s, 1500000000", ".5s, 500000000", "2.s, 2000000000",
        "100us, 100000", "100µs, 100000", "7ns, 7", "0, 0", "+3s, 3000000000",
        "1h2m3s4ms, 3723004000000"})
    void acceptsGoSyntax(String value, long nanos) {
        assertEquals(Duration.ofNanos(nanos), GoDuration.parse("--d", value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "s", "5 s", "1.2.3s", "5S", "ms5", "1m30", "."})
    void rejectsOtherText(String value) {
        UsageException e = assertThrows(UsageException.class, () -> GoDuration.parse("--d", value));
        assertEquals("invalid --d \"" + value + "\": " + GoDuration.RULE, e.getMessage());
    }

    @Test
    void namesAnUnknownUnit() {
        UsageException e = assertThrows(UsageException.class, () -> GoDuration.parse("--d", "3d"));
        assertEquals("invalid --d \"3d\": unknown unit \"d\"; " + GoDuration.RULE, e.getMessage());
    }

    @Test
    void positiveMillisDropsFractionsButNotWholeMilliseconds() {
        assertEquals(1, GoDuration.positiveMillis("--d", "1500us"));
        assertEquals(5000, GoDuration.positiveMillis("--d", "5s"));
        assertThrows(UsageException.class, () -> GoDuration.positiveMillis("--d", "999us"));
        assertThrows(UsageException.class, () -> GoDuration.positiveMillis("--d", "0"));
        assertThrows(UsageException.class, () -> GoDuration.positiveMillis("--d", "-1s"));
    }

    @Test
    void refusesWhatDoesNotFitALong() {
        UsageException e = assertThrows(UsageException.class,
                () -> GoDuration.parse("--d", "3000000h"));
        assertEquals("invalid --d \"3000000h\": too large; use at most 2562047h", e.getMessage());
    }
}
