package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory sizes as docker writes them: a number with an optional unit b, k, kb, m, mb, g or gb in
 * any case, in binary multiples ({@code 64M} = 64 MiB). Fractions are allowed ({@code 1.5g}) and
 * rounded down to whole bytes.
 */
public final class MemorySize {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+) ?([a-zA-Z]*)");
    private static final Map<String, Long> UNITS = Map.of(
            "", 1L, "b", 1L,
            "k", 1L << 10, "kb", 1L << 10,
            "m", 1L << 20, "mb", 1L << 20,
            "g", 1L << 30, "gb", 1L << 30);

    private MemorySize() {
    }

    /** Parses {@code value} given to {@code option}; 0 means "no limit", as in docker. */
    public static long parse(String option, String value) {
        Matcher matcher = SIZE.matcher(value.strip());
        Long multiplier = matcher.matches()
                ? UNITS.get(matcher.group(2).toLowerCase(Locale.ROOT)) : null;
        if (multiplier == null) {
            throw invalid(option, value, "use a number with an optional unit b, k, m, g (e.g. 64M, 1.5g)");
        }
        BigDecimal bytes = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(multiplier));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw invalid(option, value, "too large; use at most 8191 PiB");
        }
        return bytes.longValue();
    }

    static UsageException invalid(String option, String value, String fix) {
        return new UsageException("invalid " + option + " \"" + value + "\": " + fix);
    }
}
