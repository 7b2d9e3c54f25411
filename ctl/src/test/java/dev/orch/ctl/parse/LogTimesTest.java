package dev.orch.ctl.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.ctl.UsageException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LogTimesTest {
    /** 2026-11-25T12:00:00Z, in a zone one hour ahead of UTC. */
    private static final Clock NOON = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneId.of("Europe/Paris"));

    private static long nanos(String instant) {
        Instant i = Instant.parse(instant);
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    @ParameterizedTest
    @CsvSource({
        "2026-11-25T10:00:00Z, 2026-11-25T10:00:00Z",
        "2026-11-25T10:00:00.123456789Z, 2026-11-25T10:00:00.123456789Z",
        "2026-11-25T10:00:00.5+02:00, 2026-11-25T08:00:00.5Z",
        "2026-11-25T10:00:00, 2026-11-25T09:00:00Z",
        "2026-11-25T10:00, 2026-11-25T09:00:00Z",
        "2026-11-25, 2026-11-24T23:00:00Z",
        "2026-11-25Z, 2026-11-25T00:00:00Z",
        "2026-11-25+02:00, 2026-11-24T22:00:00Z",
        "1700000000, 2023-11-14T22:13:20Z",
        "1700000000.5, 2023-11-14T22:13:20.5Z",
        "1700000000.000000001, 2023-11-14T22:13:20.000000001Z",
        "10m, 2026-11-25T11:50:00Z",
        "1h30m, 2026-11-25T10:30:00Z",
        "42s, 2026-11-25T11:59:18Z",
        "1.5h, 2026-11-25T10:30:00Z",
        "' 10m ', 2026-11-25T11:50:00Z"})
    void acceptsDockersForms(String since, String expected) {
        assertEquals(nanos(expected), LogTimes.sinceUnixNanos(since, NOON));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "yesterday", "-5m", "10d", "2026-13-01", "2026-11-25T25:00:00Z",
        "1700000000.1234567890", "1e9", "10 m", "999999999999999999", "1969-12-31T23:59:59Z"})
    void refusesAnythingElseNamingTheForms(String since) {
        UsageException e = assertThrows(UsageException.class, () -> LogTimes.sinceUnixNanos(since, NOON));
        assertTrue(e.getMessage().startsWith("invalid --since \"" + since + "\": "), e.getMessage());
        assertTrue(e.getMessage().endsWith(LogTimes.FORMS), e.getMessage());
    }

    @Test
    void timestampsHaveAFixedWidthInUtc() {
        assertEquals("2026-11-25T10:00:00.000000000Z", LogTimes.format(nanos("2026-11-25T10:00:00Z")));
        assertEquals("2026-11-25T10:00:00.120000000Z", LogTimes.format(nanos("2026-11-25T10:00:00.12Z")));
        assertEquals("2026-11-25T10:00:00.123456789Z", LogTimes.format(nanos("2026-11-25T10:00:00.123456789Z")));
    }
}
