package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.regex.Pattern;

/**
 * The times of {@code service logs}: {@code --since} in docker's forms, and the fixed-width
 * RFC 3339 time with nanoseconds that {@code -t} prints (docker's RFC3339NanoFixed, in UTC).
 */
public final class LogTimes {
    static final String FORMS = "give an RFC 3339 time (2026-11-25T10:00:00Z, with or without a fraction"
            + " and offset; without an offset it is local time), a Unix timestamp (1700000000 or"
            + " 1700000000.5) or a duration back from now (10m, 1h30m, 42s)";
    private static final Pattern UNIX = Pattern.compile("\\d+(\\.\\d{1,9})?");
    private static final Pattern DURATION = Pattern.compile("((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+");
    private static final DateTimeFormatter FIXED =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private LogTimes() {
    }

    /** The Unix time in nanoseconds that {@code --since value} means at {@code clock}'s now. */
    public static long sinceUnixNanos(String value, Clock clock) {
        String text = value.strip();
        Instant at;
        if (UNIX.matcher(text).matches()) {
            int dot = text.indexOf('.');
            String seconds = dot < 0 ? text : text.substring(0, dot);
            String fraction = dot < 0 ? "" : text.substring(dot + 1);
            if (seconds.length() > 12) {
                throw MemorySize.invalid("--since", value, FORMS);
            }
            at = Instant.ofEpochSecond(Long.parseLong(seconds),
                    fraction.isEmpty() ? 0 : Long.parseLong((fraction + "00000000").substring(0, 9)));
        } else if (DURATION.matcher(text).matches()) {
            Duration back;
            try {
                back = GoDuration.parse("--since", text);
            } catch (UsageException tooLarge) {
                throw MemorySize.invalid("--since", value, FORMS);
            }
            at = clock.instant().minus(back);
        } else {
            at = dateTime(text, clock);
            if (at == null) {
                throw MemorySize.invalid("--since", value, FORMS);
            }
        }
        if (at.getEpochSecond() < 0) {
            throw MemorySize.invalid("--since", value, "the time is before 1970; " + FORMS);
        }
        return at.getEpochSecond() * 1_000_000_000L + at.getNano();
    }

    /** {@code 2026-11-25T10:00:00.123456789Z}: always nine digits, so the times line up. */
    public static String format(long unixNanos) {
        return FIXED.format(Instant.ofEpochSecond(Math.floorDiv(unixNanos, 1_000_000_000L),
                Math.floorMod(unixNanos, 1_000_000_000L)));
    }

    private static Instant dateTime(String text, Clock clock) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notWithOffset) {
            // docker takes a time without an offset as the client's local time
        }
        try {
            return LocalDateTime.parse(text).atZone(clock.getZone()).toInstant();
        } catch (DateTimeParseException notLocal) {
            // nor a bare date
        }
        try {
            return LocalDate.parse(text).atStartOfDay(clock.getZone()).toInstant();
        } catch (DateTimeParseException notADate) {
            // nor a date with an offset (2026-11-25Z, 2026-11-25+01:00)
        }
        try {
            TemporalAccessor dated = DateTimeFormatter.ISO_OFFSET_DATE.parse(text);
            return LocalDate.from(dated).atStartOfDay(ZoneOffset.from(dated)).toInstant();
        } catch (DateTimeParseException notADateWithOffset) {
            return null;
        }
    }
}
