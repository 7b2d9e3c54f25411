package dev.orch.ctl.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellWordsTest {
    @Test
    void splitsLikeAShell() {
        assertEquals(List.of("sh", "-c", "echo 'hi'; exit 1"), ShellWords.split("--args", "sh -c \"echo 'hi'; exit 1\""));
        assertEquals(List.of("a b", "c\"d", "e\\f", ""), ShellWords.split("--args", "'a b' c\\\"d \"e\\\\f\" ''"));
        assertEquals(List.of(), ShellWords.split("--args", "   "));
    }
}
