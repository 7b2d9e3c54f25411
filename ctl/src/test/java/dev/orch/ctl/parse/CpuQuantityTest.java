package dev.orch.ctl.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.ctl.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CpuQuantityTest {
    @ParameterizedTest
    @CsvSource({"1, 1000000000", "0.5, 500000000", "0.1, 100000000", "2, 2000000000",
        ".25, 250000000", "1.000000001, 1000000001", "0.000000001, 1", "16.0, 16000000000"})
    void convertsExactlyToNanoCpus(String value, long nanos) {
        assertEquals(nanos, CpuQuantity.parseNanoCpus("--limit-cpu", value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.0", "-1", "abc", "", "1/2", "1e9", "+1"})
    void rejectsAnythingButAPositiveDecimal(String value) {
        UsageException e = assertThrows(UsageException.class,
                () -> CpuQuantity.parseNanoCpus("--limit-cpu", value));
        assertEquals("invalid --limit-cpu \"" + value + "\": use a positive number of CPUs (e.g. 0.5,"
                + " 2)", e.getMessage());
    }

    @Test
    void rejectsFinerThanOneNanoCpu() {
        UsageException e = assertThrows(UsageException.class,
                () -> CpuQuantity.parseNanoCpus("--reserve-cpu", "0.0000000001"));
        assertEquals("invalid --reserve-cpu \"0.0000000001\": use at most 9 decimal places (one nano"
                + " CPU is the smallest unit)", e.getMessage());
    }
}
