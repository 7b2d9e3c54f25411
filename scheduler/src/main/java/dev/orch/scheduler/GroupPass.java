package dev.orch.scheduler;

import dev.orch.proto.PlacementStrategy;
import dev.orch.proto.Task;
import dev.orch.scheduler.constraint.Constraint;
import dev.orch.scheduler.constraint.InvalidPlacementException;
import dev.orch.scheduler.constraint.PlacementRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Places the tasks of one {@link TaskGroup}. The pipeline has two parts:
 *
 * <ol>
 *   <li>checks that depend only on the node (ready, available, each constraint), cheapest first,
 *       run once per node for the whole group;
 *   <li>checks that depend on what the pass has placed (memory, CPU, replicas per node), run on the
 *       node the scorer picked, just before a task is counted on it.
 * </ol>
 *
 * <p>Each node is charged to the first check that rejected it, so a group that cannot be placed
 * is explained by count: "no suitable node (2 nodes are not ready; 3 nodes lack 1 GiB of memory)".
 */
final class GroupPass {
  private final TaskGroup group;
  private final List<NodeFilter> nodeChecks = new ArrayList<>();
  private final List<NodeFilter> passChecks = new ArrayList<>();
  private final int[] nodeRejections;
  private final int[] passRejections;
  private final long memory;
  private final long cpu;

  private GroupPass(TaskGroup group, List<Constraint> constraints) {
    this.group = group;
    this.memory = group.reservations.getMemoryBytes();
    this.cpu = group.reservations.getNanoCpus();
    nodeChecks.add(ReadyNodeFilter.INSTANCE);
    nodeChecks.add(AvailabilityFilter.INSTANCE);
    for (Constraint c : constraints) {
      nodeChecks.add(new ConstraintFilter(c));
    }
    if (memory > 0) {
      passChecks.add(new MemoryReservationFilter(memory));
    }
    if (cpu > 0) {
      passChecks.add(new CpuReservationFilter(cpu));
    }
    long max = group.placement.getMaxReplicasPerNode();
    if (max > 0) {
      passChecks.add(new MaxReplicasFilter(group.serviceId, max));
    }
    if (!group.hostPorts.isEmpty()) {
      passChecks.add(new HostPortFilter(group.hostPorts));
    }
    nodeRejections = new int[nodeChecks.size()];
    passRejections = new int[passChecks.size()];
  }

  /** Places every task of {@code group}, writing one decision per task into {@code out}. */
  static void place(TaskGroup group, List<NodeCandidate> nodes, Random random, PlacementDecision[] out) {
    PlacementRules rules;
    try {
      rules = PlacementRules.of(group.placement);
    } catch (InvalidPlacementException e) {
      // Stored before validation existed, or by a newer manager: say so rather than guess.
      decideAll(group, 0, out, "invalid placement: " + e.getMessage());
      return;
    }
    new GroupPass(group, rules.constraints()).run(nodes, rules, random, out);
  }

  private void run(List<NodeCandidate> nodes, PlacementRules rules, Random random, PlacementDecision[] out) {
    List<SpreadTree.Slot> eligible = new ArrayList<>();
    for (NodeCandidate n : nodes) {
      int failed = firstRejecting(nodeChecks, n);
      if (failed >= 0) {
        nodeRejections[failed]++;
      } else {
        eligible.add(new SpreadTree.Slot(n, n.tasksOf(group.serviceId)));
      }
    }
    var order = group.placement.getStrategy() == PlacementStrategy.STRATEGY_BINPACK
        ? SpreadTree.BINPACK : SpreadTree.SPREAD;
    SpreadTree tree = SpreadTree.build(eligible, rules.preferences(), order, random);
    for (int i = 0; i < group.tasks.size(); i++) {
      NodeCandidate n = tree.take(this);
      if (n == null) {
        decideAll(group, i, out, explain(nodes.isEmpty()));
        return;
      }
      Task t = group.tasks.get(i);
      out[group.positions.get(i)] = new PlacementDecision(t.getMeta().getId(), n.id(), "");
    }
  }

  /** Whether the node passes the checks that depend on the pass; charges a rejection if not. */
  boolean fits(NodeCandidate n) {
    int failed = firstRejecting(passChecks, n);
    if (failed >= 0) {
      passRejections[failed]++;
      return false;
    }
    return true;
  }

  /** Counts one task of the group on {@code n}, so later decisions of the pass see it. */
  void count(NodeCandidate n) {
    n.add(group.serviceId, memory, cpu);
    n.addHostPorts(group.hostPorts);
  }

  private static int firstRejecting(List<NodeFilter> checks, NodeCandidate n) {
    for (int i = 0; i < checks.size(); i++) {
      if (!checks.get(i).accepts(n)) {
        return i;
      }
    }
    return -1;
  }

  private String explain(boolean noNodes) {
    if (noNodes) {
      return "no suitable node (the cluster has no nodes)";
    }
    List<String> reasons = new ArrayList<>();
    for (int i = 0; i < nodeChecks.size(); i++) {
      if (nodeRejections[i] > 0) {
        reasons.add(nodeChecks.get(i).explain(nodeRejections[i]));
      }
    }
    for (int i = 0; i < passChecks.size(); i++) {
      if (passRejections[i] > 0) {
        reasons.add(passChecks.get(i).explain(passRejections[i]));
      }
    }
    return "no suitable node (" + String.join("; ", reasons) + ")";
  }

  private static void decideAll(TaskGroup group, int from, PlacementDecision[] out, String explanation) {
    for (int i = from; i < group.tasks.size(); i++) {
      out[group.positions.get(i)] = new PlacementDecision(group.tasks.get(i).getMeta().getId(), null, explanation);
    }
  }
}
