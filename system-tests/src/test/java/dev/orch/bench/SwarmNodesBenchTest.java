package dev.orch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SwarmNodesBenchTest {
  private static String task(String id, String node, String state, String desired) {
    return "{\"ID\":\"" + id + "\",\"NodeID\":\"" + node + "\",\"DesiredState\":\"" + desired
        + "\",\"Status\":{\"State\":\"" + state + "\"}}";
  }

  @Test
  void countsOnlyTasksRunningAndMeantToRunPerTestBedNode() throws IOException {
    String tasks = "[" + String.join(",",
        task("t1", "nA", "running", "running"),
        task("t2", "nB", "running", "running"),
        task("t3", "nB", "running", "running"),
        task("t4", "nA", "running", "shutdown"), // replaced: its node is down
        task("t5", "nC", "starting", "running"),
        task("t6", "nC", "failed", "running")) + "]";
    Map<Integer, Integer> perNode = SwarmNodesBench.runningPerNode(new ObjectMapper().readTree(tasks),
        Map.of("nA", 2, "nB", 3, "nC", 4));
    assertEquals(Map.of(2, 1, 3, 2), perNode);
    assertEquals(3, SwarmNodesBench.total(perNode));
  }

  @Test
  void aRunningTaskOnANodeOutsideTheBedIsAnError() throws IOException {
    var tasks = new ObjectMapper().readTree("[" + task("t1", "elsewhere", "running", "running") + "]");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SwarmNodesBench.runningPerNode(tasks, Map.of("nA", 2)));
    assertTrue(e.getMessage().contains("elsewhere"), e.getMessage());
  }

  @Test
  void tableHasMediansRangesAndEachPeersRatioToTheFirstColumn() {
    Map<String, Map<String, List<Double>>> figures = new LinkedHashMap<>();
    figures.put("kill -9 of a worker", new LinkedHashMap<>());
    figures.get("kill -9 of a worker").put("orch", List.of(0.3, 0.2, 0.4));
    figures.get("kill -9 of a worker").put("Swarm, 5s heartbeat", List.of(12.0, 10.0, 14.0));
    figures.get("kill -9 of a worker").put("Swarm, 1s heartbeat", List.of(3.0, 4.0, 5.0));
    String table = SwarmNodesBench.table(figures, 3);
    assertTrue(table.contains("| fault (3 of each per cluster) | orch median (min–max) | Swarm, 5s heartbeat median"
        + " (min–max) | ratio | Swarm, 1s heartbeat median (min–max) | ratio |"), table);
    assertTrue(table.contains("\n|---|---|---|---|---|---|\n"), table);
    assertTrue(table.contains("| kill -9 of a worker | 0.30 s (0.20–0.40) | 12.00 s (10.00–14.00) | 40.0× |"
        + " 4.00 s (3.00–5.00) | 13.3× |"), table);
  }

  @Test
  void engineApiAnswersBodyOnOkNullOnNotFoundAndFailsOnTheRest() throws IOException {
    assertEquals("[]", EngineApi.body("/tasks", "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n[]"));
    assertNull(EngineApi.body("/services/x", "HTTP/1.0 404 Not Found\r\n\r\n{\"message\":\"no such\"}"));
    IOException e = assertThrows(IOException.class,
        () -> EngineApi.body("/nodes", "HTTP/1.0 503 Service Unavailable\r\n\r\n{}"));
    assertEquals("docker API GET /nodes: HTTP/1.0 503 Service Unavailable", e.getMessage());
    assertThrows(IOException.class, () -> EngineApi.body("/nodes", ""));
  }
}
