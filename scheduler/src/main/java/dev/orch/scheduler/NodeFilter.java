package dev.orch.scheduler;

/**
 * One check of the placement pipeline, made for one task group (so it holds what it checks, such
 * as the reservation or the parsed constraint). The first check that rejects a node is the one
 * that explains the rejection, so rejections are counted once per node.
 */
interface NodeFilter {
  /** Whether a task of the group may run on {@code node}, given what the pass already placed. */
  boolean accepts(NodeCandidate node);

  /** Explains rejections by count, e.g. "2 nodes are not ready". */
  String explain(int rejectedNodes);
}
