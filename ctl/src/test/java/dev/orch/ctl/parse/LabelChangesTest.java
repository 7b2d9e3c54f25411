package dev.orch.ctl.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.UsageException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelChangesTest {
    @Test
    void addsThenRemoves() {
        LabelChanges changes = LabelChanges.parse(List.of("a=1", "b", "c=x=y", "a=2"),
                List.of("old", "b"));
        assertEquals(Map.of("a", "2", "c", "x=y", "keep", "k"),
                changes.applyTo(Map.of("old", "o", "keep", "k"), "node n"));
    }

    @Test
    void removingAMissingLabelFails() {
        LabelChanges changes = LabelChanges.parse(List.of(), List.of("zone"));
        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> changes.applyTo(Map.of(), "node w1"));
        assertEquals("node w1 has no label \"zone\" to remove", e.getMessage());
    }

    @Test
    void rejectsEmptyOrSpacedKeys() {
        assertThrows(UsageException.class, () -> LabelChanges.parse(List.of("=v"), List.of()));
        assertThrows(UsageException.class, () -> LabelChanges.parse(List.of("a b=c"), List.of()));
        assertThrows(UsageException.class, () -> LabelChanges.parse(List.of(), List.of(" ")));
        assertTrue(LabelChanges.parse(List.of(), List.of()).isEmpty());
    }
}
