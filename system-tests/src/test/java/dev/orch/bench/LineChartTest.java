package dev.orch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LineChartTest {

  @Test
  void axisEndsOnARoundNumberAtOrAboveTheLargestMedian() {
    assertEquals(20.0, LineChart.niceCeiling(16.2));
    assertEquals(2.5, LineChart.niceCeiling(2.1));
    assertEquals(0.5, LineChart.niceCeiling(0.31), 1e-12);
    assertEquals(10.0, LineChart.niceCeiling(10.0));
    assertEquals(1.0, LineChart.niceCeiling(0));
  }

  @Test
  void onePolylineOfMediansPerSystemScaledToTheAxis() {
    Map<String, SortedMap<Integer, List<Double>>> figures = new LinkedHashMap<>();
    figures.put("orch", new TreeMap<>(Map.of(10, List.of(0.1, 0.3, 0.2), 100, List.of(1.0))));
    figures.put("swarm & co", new TreeMap<>(Map.of(10, List.of(2.0), 100, List.of(9.0, 10.0, 11.0))));
    String svg = LineChart.svg("t", "replicas", figures);
    // y axis 0..10 s over 300 px from y=340 up to y=40; x 0..100 over 520 px from x=60
    assertTrue(svg.contains("<path d=\"M112 334 L580 310\""), svg); // orch: medians 0.2 s and 1 s
    assertTrue(svg.contains("<path d=\"M112 280 L580 40\""), svg); // swarm: medians 2 s and 10 s
    assertTrue(svg.contains("swarm &amp; co"), svg);
    assertTrue(svg.startsWith("<svg ") && svg.endsWith("</svg>\n"));
  }
}
