package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as docker takes them (Go's {@code time.ParseDuration}): one or more numbers, each with
 * a unit ns, us (or µs), ms, s, m or h, e.g. {@code 500ms}, {@code 5s}, {@code 1m30s},
 * {@code 1.5h}. A bare {@code 0} is zero, as in Go; any other number needs its unit.
 */
public final class GoDuration {
    static final String RULE = "use a number with a unit ns, us, ms, s, m, h (e.g. 500ms, 5s, 1m30s)";
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)([a-zµμ]+)");
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L, "ms", 1_000_000L,
            "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private GoDuration() {
    }

    /** Parses {@code value} given to {@code option}; a negative duration is refused. */
    public static Duration parse(String option, String value) {
        String text = value.strip();
        if (text.startsWith("+")) {
            text = text.substring(1);
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        if (text.isEmpty() || text.startsWith("-")) {
            throw MemorySize.invalid(option, value, text.startsWith("-")
                    ? "must not be negative; " + RULE : RULE);
        }
        Matcher matcher = PART.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        int end = 0;
        while (end < text.length() && matcher.find(end) && matcher.start() == end) {
            Long unit = NANOS_PER_UNIT.get(matcher.group(2));
            if (unit == null) {
                throw MemorySize.invalid(option, value, "unknown unit \"" + matcher.group(2)
                        + "\"; " + RULE);
            }
            nanos = nanos.add(new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(unit)));
            end = matcher.end();
        }
        if (end != text.length()) {
            throw MemorySize.invalid(option, value, RULE);
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw MemorySize.invalid(option, value, "too large; use at most 2562047h");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /**
     * Parses a duration that the API takes in whole milliseconds and that must be at least 1ms;
     * fractions of a millisecond are dropped.
     */
    public static long positiveMillis(String option, String value) {
        long millis = parse(option, value).toMillis();
        if (millis < 1) {
            throw MemorySize.invalid(option, value, "must be at least 1ms (e.g. 5s)");
        }
        return millis;
    }
}
