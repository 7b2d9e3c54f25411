package dev.orch.manager.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SlotsKeyOrderTest {
  @Test
  void numberedSlotsSortByNumberThenNodeSlotsById() {
    List<String> keys = List.of("node:b", "slot:10", "slot:9", "node:a", "slot:100", "slot:1", "slot:11");
    assertEquals(List.of("slot:1", "slot:9", "slot:10", "slot:11", "slot:100", "node:a", "node:b"),
        Slots.sortedKeys(keys));
  }
}
