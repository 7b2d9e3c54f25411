package dev.orch.ctl.output;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Sizes as {@code docker image ls} prints them (go-units {@code HumanSizeWithPrecision(n, 3)}):
 * decimal units, three significant digits, no space: "742B", "4.26MB", "1.2GB".
 */
public final class HumanSize {
    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

    private HumanSize() {
    }

    public static String of(long bytes) {
        BigDecimal size = BigDecimal.valueOf(Math.max(0, bytes));
        BigDecimal base = BigDecimal.valueOf(1000);
        int unit = 0;
        while (size.compareTo(base) >= 0 && unit < UNITS.length - 1) {
            size = size.divide(base);
            unit++;
        }
        BigDecimal rounded = size.round(new MathContext(3, RoundingMode.HALF_EVEN));
        return rounded.stripTrailingZeros().toPlainString() + UNITS[unit];
    }
}
