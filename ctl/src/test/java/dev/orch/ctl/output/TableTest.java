package dev.orch.ctl.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void alignsColumnsWithThreeSpacesAndNoTrailingBlanks() {
        String text = new Table("ID", "NAME", "REPLICAS")
                .row("abc123", "web", "5/5")
                .row("d", "a-much-longer-name", "")
                .render();
        assertEquals(""
                + "ID       NAME                 REPLICAS\n"
                + "abc123   web                  5/5\n"
                + "d        a-much-longer-name\n", text);
    }

    @Test
    void headerOnlyWhenEmptyAndNullCellsAreBlank() {
        assertEquals("A   B\n", new Table("A", "B").render());
        assertEquals("A   B\n"
                + "    x\n", new Table("A", "B").row(null, "x").render());
    }
}
