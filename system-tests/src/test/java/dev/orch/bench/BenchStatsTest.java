package dev.orch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchStatsTest {

  @Test
  void medianOfOddAndEvenCountsIgnoresOrder() {
    assertEquals(2.0, BenchStats.median(List.of(3.0, 1.0, 2.0)));
    assertEquals(2.5, BenchStats.median(List.of(4.0, 1.0, 3.0, 2.0)));
    assertEquals(7.0, BenchStats.median(List.of(7.0)));
    assertThrows(IllegalArgumentException.class, () -> BenchStats.median(List.of()));
  }

  @Test
  void percentileIsNearestRank() {
    List<Double> xs = new java.util.ArrayList<>();
    for (int i = 100; i >= 1; i--) {
      xs.add((double) i);
    }
    assertEquals(50.0, BenchStats.percentile(xs, 50));
    assertEquals(99.0, BenchStats.percentile(xs, 99));
    assertEquals(100.0, BenchStats.percentile(xs, 100));
    assertEquals(1.0, BenchStats.percentile(xs, 0.5));
    assertEquals(3.0, BenchStats.percentile(List.of(1.0, 2.0, 3.0), 99));
    assertThrows(IllegalArgumentException.class, () -> BenchStats.percentile(xs, 0));
    assertThrows(IllegalArgumentException.class, () -> BenchStats.percentile(xs, 101));
  }

  @Test
  void chartScalesBarsToTheLargestMedianAndEscapesLabels() {
    Map<String, Map<String, List<Double>>> figures = new LinkedHashMap<>();
    figures.put("a < b", new LinkedHashMap<>(Map.of("orch", List.of(1.0, 1.0, 9.0))));
    figures.get("a < b").put("swarm", List.of(4.0, 4.0, 4.0));
    String svg = BarChart.svg("t", figures);
    assertTrue(svg.contains("width=\"105\""), svg); // orch median 1 of 4 → a quarter of 420 px
    assertTrue(svg.contains("width=\"420\""), svg);
    assertTrue(svg.contains("a &lt; b"), svg);
    assertTrue(svg.contains("swarm 4.00 s"), svg);
  }
}
