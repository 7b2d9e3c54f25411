package dev.orch.manager.orchestrator;

import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeState;
import dev.orch.proto.ServiceSpec;
import dev.orch.scheduler.constraint.Constraint;
import dev.orch.scheduler.constraint.InvalidPlacementException;
import dev.orch.scheduler.constraint.PlacementRules;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which nodes a service's tasks may be on, as the global orchestrator, the restart supervisor and
 * the constraint enforcer all ask it. Swarm's rules: a drained or down node runs nothing, a paused
 * node keeps what it runs but gets nothing new, and every constraint of the service must hold.
 */
public final class EligibleNodes {
  private EligibleNodes() {}

  /** Whether a task of {@code spec} may keep running on {@code node}. */
  public static boolean mayRun(Node node, ServiceSpec spec) {
    return mayRun(node, constraints(spec));
  }

  /** Whether a new task of {@code spec} may start on {@code node}. */
  public static boolean mayStart(Node node, ServiceSpec spec) {
    return mayStart(node, constraints(spec));
  }

  public static Set<String> mayStart(Collection<Node> nodes, ServiceSpec spec) {
    List<Constraint> c = constraints(spec);
    return nodes.stream().filter(n -> mayStart(n, c)).map(n -> n.getMeta().getId()).collect(Collectors.toSet());
  }

  public static Set<String> mayRun(Collection<Node> nodes, ServiceSpec spec) {
    List<Constraint> c = constraints(spec);
    return nodes.stream().filter(n -> mayRun(n, c)).map(n -> n.getMeta().getId()).collect(Collectors.toSet());
  }

  /** Every constraint of {@code spec} holds on {@code node}. */
  public static boolean matchesConstraints(Node node, ServiceSpec spec) {
    List<Constraint> c = constraints(spec);
    return c != null && c.stream().allMatch(k -> k.matches(node));
  }

  private static boolean mayRun(Node node, List<Constraint> c) {
    return node.getStatus().getState() != NodeState.NODE_DOWN
        && node.getSpec().getAvailability() != NodeAvailability.DRAIN
        && c != null && c.stream().allMatch(k -> k.matches(node));
  }

  private static boolean mayStart(Node node, List<Constraint> c) {
    return node.getStatus().getState() == NodeState.NODE_READY
        && node.getSpec().getAvailability() == NodeAvailability.ACTIVE
        && c != null && c.stream().allMatch(k -> k.matches(node));
  }

  /** The parsed constraints; null for a spec that does not parse (refused at the API edge): it matches nothing. */
  private static List<Constraint> constraints(ServiceSpec spec) {
    try {
      return PlacementRules.of(spec.getPlacement()).constraints();
    } catch (InvalidPlacementException e) {
      return null;
    }
  }
}
