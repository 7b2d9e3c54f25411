package dev.orch.ctl.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.ctl.UsageException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScaleTargetTest {
    @Test
    void parsesServiceAndReplicas() {
        assertEquals(List.of(new ScaleTarget("web", 5), new ScaleTarget("x1a2b3", 0)),
                ScaleTarget.parseAll(List.of("web=5", "x1a2b3=0")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"web", "=5", ""})
    void needsServiceEqualsReplicas(String argument) {
        UsageException e = assertThrows(UsageException.class, () -> ScaleTarget.parse(argument));
        assertEquals("invalid scale argument \"" + argument + "\": use SERVICE=REPLICAS (e.g. web=5)",
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"web=", "web=-1", "web=abc", "web=2.5"})
    void validatesTheReplicaCount(String argument) {
        UsageException e = assertThrows(UsageException.class, () -> ScaleTarget.parse(argument));
        assertEquals("invalid scale argument \"" + argument + "\": the replica count must be a whole"
                + " number >= 0 (e.g. web=5)", e.getMessage());
    }

    @Test
    void oneBadArgumentRejectsAll() {
        assertThrows(UsageException.class, () -> ScaleTarget.parseAll(List.of("a=1", "b")));
    }
}
