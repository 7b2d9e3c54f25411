package dev.orch.ctl.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.ctl.UsageException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReplicaCountTest {
    @ParameterizedTest
    @CsvSource({"0, 0", "1, 1", "5, 5", "007, 7", "1000000, 1000000"})
    void acceptsWholeNumbers(String value, long replicas) {
        assertEquals(replicas, ReplicaCount.parse("--replicas", value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "abc", "", "1.5", "+3", "1e3", "99999999999999999999"})
    void rejectsEverythingElse(String value) {
        UsageException e = assertThrows(UsageException.class,
                () -> ReplicaCount.parse("--replicas", value));
        assertEquals("invalid --replicas \"" + value + "\": must be a whole number >= 0",
                e.getMessage());
    }
}
