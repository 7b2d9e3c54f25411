package dev.orch.ctl.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.ctl.UsageException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvVariablesTest {
    @Test
    void keepsKeyValuePairsAsWritten() {
        assertEquals(List.of("A=1", "B=", "C=x=y", "D= spaced "),
                EnvVariables.parse(List.of("A=1", "B=", "C=x=y", "D= spaced "), Map.of()));
    }

    @Test
    void aBareKeyTakesTheClientValueOrIsDropped() {
        assertEquals(List.of("HOME=/root", "X=1"),
                EnvVariables.parse(List.of("HOME", "UNSET", "X=1"), Map.of("HOME", "/root")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"=x", "", "A B=1", " A=1"})
    void rejectsMissingOrSpacedKeys(String value) {
        UsageException e = assertThrows(UsageException.class,
                () -> EnvVariables.parse(List.of(value), Map.of()));
        assertEquals("invalid --env \"" + value + "\": use KEY=VALUE, or KEY to pass its value from"
                + " this shell (e.g. -e LOG_LEVEL=debug)", e.getMessage());
    }
}
