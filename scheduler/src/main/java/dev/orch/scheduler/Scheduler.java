package dev.orch.scheduler;

import dev.orch.proto.Node;
import dev.orch.proto.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Places a batch of pending tasks in one pass over a snapshot of the cluster. Tasks are grouped
 * (same service, reservations and placement); for each group the node checks run once, the nodes
 * left are arranged by the spread preferences, and each task takes the best node that still fits.
 * Every placement is counted at once, so later tasks of the pass see the earlier ones.
 *
 * <p>Ties are broken by a number drawn per node from the injected {@link Random}, so a pass can be
 * replayed: the same seed, nodes and tasks give the same decisions.
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
   * @param running tasks already occupying nodes (they count for spread, reservations and
   *     replicas per node)
   * @param pending tasks to place, in the order they should be considered
   * @return one decision per pending task, in the order of {@code pending}
   */
  public List<PlacementDecision> schedule(Collection<Node> nodes, Collection<Task> running, List<Task> pending) {
    List<Node> sorted = new ArrayList<>(nodes);
    sorted.sort(Comparator.comparing(n -> n.getMeta().getId()));
    List<NodeCandidate> candidates = new ArrayList<>(sorted.size());
    Map<String, NodeCandidate> byId = new HashMap<>(sorted.size() * 2);
    for (Node n : sorted) {
      NodeCandidate c = new NodeCandidate(n, random.nextInt());
      candidates.add(c);
      byId.put(c.id(), c);
    }
    for (Task t : running) {
      NodeCandidate c = byId.get(t.getNodeId());
      if (c != null) {
        c.add(t.getServiceId(), t.getSpec().getReservations().getMemoryBytes(),
            t.getSpec().getReservations().getNanoCpus());
        if (t.getSpec().getPortsCount() > 0) {
          c.addHostPorts(t.getSpec().getPortsList());
        }
      }
    }
    PlacementDecision[] out = new PlacementDecision[pending.size()];
    for (TaskGroup g : TaskGroup.of(pending)) {
      GroupPass.place(g, candidates, random, out);
    }
    return Arrays.asList(out);
  }
}
