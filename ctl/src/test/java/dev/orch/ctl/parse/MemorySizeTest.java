package dev.orch.ctl.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.ctl.UsageException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MemorySizeTest {
    @ParameterizedTest
    @CsvSource({
        "0, 0", "512, 512", "512b, 512", "512B, 512",
        "1k, 1024", "1K, 1024", "1kb, 1024", "1KB, 1024",
        "64m, 67108864", "64M, 67108864", "64mb, 67108864", "64 MB, 67108864",
        "1g, 1073741824", "2GB, 2147483648", "1.5g, 1610612736", "0.5k, 512", "1.7b, 1"})
    void parsesDockerUnitsInBinaryMultiples(String value, long bytes) {
        assertEquals(bytes, MemorySize.parse("--limit-memory", value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"12X", "", "m", "-1m", "1.2.3m", "1 g b", "64MiB", "1t", "abc", "1e3"})
    void rejectsWithTheOptionTheValueAndAnExample(String value) {
        UsageException e = assertThrows(UsageException.class,
                () -> MemorySize.parse("--limit-memory", value));
        assertEquals("invalid --limit-memory \"" + value + "\": use a number with an optional unit "
                + "b, k, m, g (e.g. 64M, 1.5g)", e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void rejectsSizesBeyondALong() {
        UsageException e = assertThrows(UsageException.class,
                () -> MemorySize.parse("--reserve-memory", "99999999999g"));
        assertEquals("invalid --reserve-memory \"99999999999g\": too large; use at most 8191 PiB",
                e.getMessage());
    }
}
