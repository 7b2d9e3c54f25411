package dev.orch.scheduler;

import dev.orch.proto.Node;
import dev.orch.proto.Task;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Places a batch of tasks in one pass over a snapshot of the nodes. Filters run cheapest first;
 * among the nodes left, the one with the fewest tasks of the same service wins, then the fewest
 * tasks overall, then a seeded random choice so a placement can be replayed.
 */
public final class Scheduler {
  private final Random random;

  public Scheduler(Random random) {
    this.random = random;
  }

  /**
   * Decides a node for each task in {@code pending}.
   *
   * @param nodes every node of the cluster
   * @param running tasks already occupying nodes (they count for spread and reservations)
   * @param pending tasks to place, in the order they should be considered
   */
  public List<Placement> schedule(
      Collection<Node> nodes, Collection<Task> running, List<Task> pending) {
    Map<String, NodeCandidate> candidates = new LinkedHashMap<>();
    nodes.stream()
        .sorted((a, b) -> a.getMeta().getId().compareTo(b.getMeta().getId()))
        .forEach(n -> candidates.put(n.getMeta().getId(), new NodeCandidate(n)));
    for (Task t : running) {
      NodeCandidate c = candidates.get(t.getNodeId());
      if (c != null) {
        count(c, t);
      }
    }
    List<NodeFilter> pipeline =
        List.of(new ReadyNodeFilter(), new AvailabilityFilter(), new ResourceFilter());
    List<Placement> out = new ArrayList<>(pending.size());
    for (Task task : pending) {
      out.add(place(task, candidates.values(), pipeline));
    }
    return out;
  }

  private Placement place(Task task, Collection<NodeCandidate> candidates, List<NodeFilter> pipeline) {
    int[] rejected = new int[pipeline.size()];
    NodeCandidate best = null;
    int ties = 0;
    for (NodeCandidate c : candidates) {
      int failed = firstRejecting(pipeline, c, task);
      if (failed >= 0) {
        rejected[failed]++;
        continue;
      }
      int cmp = best == null ? -1 : compare(c, best, task.getServiceId());
      if (cmp < 0) {
        best = c;
        ties = 1;
      } else if (cmp == 0 && random.nextInt(++ties) == 0) {
        // Reservoir choice among equally good nodes keeps the pick uniform and replayable.
        best = c;
      }
    }
    if (best == null) {
      return new Placement(task.getMeta().getId(), null, explain(pipeline, rejected, candidates));
    }
    count(best, task);
    return new Placement(task.getMeta().getId(), best.id(), "");
  }

  private static int firstRejecting(List<NodeFilter> pipeline, NodeCandidate c, Task task) {
    for (int i = 0; i < pipeline.size(); i++) {
      if (!pipeline.get(i).accepts(c, task)) {
        return i;
      }
    }
    return -1;
  }

  private static int compare(NodeCandidate a, NodeCandidate b, String serviceId) {
    int byService = Integer.compare(a.tasksOf(serviceId), b.tasksOf(serviceId));
    return byService != 0 ? byService : Integer.compare(a.totalTasks(), b.totalTasks());
  }

  private static void count(NodeCandidate c, Task t) {
    c.add(
        t.getServiceId(),
        t.getSpec().getReservations().getMemoryBytes(),
        t.getSpec().getReservations().getNanoCpus());
  }

  private static String explain(
      List<NodeFilter> pipeline, int[] rejected, Collection<NodeCandidate> candidates) {
    if (candidates.isEmpty()) {
      return "no suitable node (the cluster has no nodes)";
    }
    List<String> reasons = new ArrayList<>();
    for (int i = 0; i < pipeline.size(); i++) {
      if (rejected[i] > 0) {
        reasons.add(pipeline.get(i).explain(rejected[i]));
      }
    }
    return "no suitable node (" + String.join("; ", reasons) + ")";
  }
}
