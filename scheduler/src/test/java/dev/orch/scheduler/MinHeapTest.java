package dev.orch.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MinHeapTest {
  @Test
  void pollsInOrderAfterBuildAndAdds() {
    Random r = new Random(3);
    List<Integer> xs = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      xs.add(r.nextInt(100));
    }
    MinHeap<Integer> h = new MinHeap<>(xs, Comparator.naturalOrder());
    for (int i = 0; i < 200; i++) {
      int x = r.nextInt(100);
      xs.add(x);
      h.add(x);
    }
    xs.sort(null);
    List<Integer> polled = new ArrayList<>();
    while (!h.isEmpty()) {
      polled.add(h.poll());
    }
    assertEquals(xs, polled);
    assertNull(h.poll());
  }

  @Test
  void emptyHeapGrows() {
    MinHeap<Integer> h = new MinHeap<>(List.<Integer>of(), Comparator.<Integer>naturalOrder());
    for (int i = 5; i > 0; i--) {
      h.add(i);
    }
    assertEquals(5, h.size());
    assertEquals(1, h.poll());
  }
}
