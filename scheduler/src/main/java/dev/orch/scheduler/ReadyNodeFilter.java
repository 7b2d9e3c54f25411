package dev.orch.scheduler;

import dev.orch.proto.NodeState;
import dev.orch.proto.Task;

/** First and cheapest: a node must be up. */
final class ReadyNodeFilter implements NodeFilter {
  @Override
  public boolean accepts(NodeCandidate node, Task task) {
    return node.node().getStatus().getState() == NodeState.NODE_READY;
  }

  @Override
  public String explain(int rejectedNodes) {
    return Plural.nodes(rejectedNodes) + " not ready";
  }
}
