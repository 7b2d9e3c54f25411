package dev.orch.ctl.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HumanSizeTest {
    @ParameterizedTest
    @CsvSource({"0, 0B", "742, 742B", "1000, 1kB", "1234, 1.23kB", "4261234, 4.26MB",
        "77800000, 77.8MB", "1200000000, 1.2GB", "5000000, 5MB"})
    void matchesDockerImageLs(long bytes, String expected) {
        assertEquals(expected, HumanSize.of(bytes));
    }
}
