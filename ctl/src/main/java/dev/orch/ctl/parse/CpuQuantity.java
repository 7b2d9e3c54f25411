package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;
import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * CPU amounts as docker writes them ({@code 0.5}, {@code 2}), converted to nano CPUs (1e9 = one
 * CPU), the unit of {@code Resources.nano_cpus}. Exact decimal arithmetic, so that 0.1 is exactly
 * 100000000 and a value finer than one nano CPU is refused instead of silently rounded.
 */
public final class CpuQuantity {
    private static final Pattern DECIMAL = Pattern.compile("\\d+(?:\\.\\d*)?|\\.\\d+");
    private static final BigDecimal NANOS_PER_CPU = BigDecimal.valueOf(1_000_000_000L);

    private CpuQuantity() {
    }

    /** Parses a positive CPU count given to {@code option} into nano CPUs. */
    public static long parseNanoCpus(String option, String value) {
        String text = value.strip();
        if (!DECIMAL.matcher(text).matches()) {
            throw invalid(option, value);
        }
        BigDecimal nanos = new BigDecimal(text).multiply(NANOS_PER_CPU);
        if (nanos.signum() <= 0) {
            throw invalid(option, value);
        }
        if (nanos.stripTrailingZeros().scale() > 0) {
            throw MemorySize.invalid(option, value,
                    "use at most 9 decimal places (one nano CPU is the smallest unit)");
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw MemorySize.invalid(option, value, "too large for a number of CPUs");
        }
        return nanos.longValueExact();
    }

    private static UsageException invalid(String option, String value) {
        return MemorySize.invalid(option, value, "use a positive number of CPUs (e.g. 0.5, 2)");
    }
}
