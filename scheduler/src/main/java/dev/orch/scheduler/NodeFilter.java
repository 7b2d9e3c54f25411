package dev.orch.scheduler;

import dev.orch.proto.Task;

/**
 * One stage of the placement pipeline. Stages run cheapest first; the first stage that rejects a
 * node is the one that explains the rejection.
 */
public interface NodeFilter {
  /** Whether {@code task} may run on {@code node} given what the pass already placed. */
  boolean accepts(NodeCandidate node, Task task);

  /** Explains rejections by count, e.g. "2 nodes are not ready". */
  String explain(int rejectedNodes);
}
