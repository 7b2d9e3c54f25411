package dev.orch.scheduler;

import dev.orch.proto.NodeState;

/** First and cheapest: a node must be up. */
final class ReadyNodeFilter implements NodeFilter {
  static final ReadyNodeFilter INSTANCE = new ReadyNodeFilter();

  @Override
  public boolean accepts(NodeCandidate node) {
    return node.node().getStatus().getState() == NodeState.NODE_READY;
  }

  @Override
  public String explain(int rejectedNodes) {
    return Plural.nodesAre(rejectedNodes) + " not ready";
  }
}
