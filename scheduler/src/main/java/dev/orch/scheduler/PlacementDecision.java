package dev.orch.scheduler;

/**
 * The outcome for one task: a node id, or an explanation of why no node fits.
 *
 * @param taskId the task placed
 * @param nodeId the chosen node, or null when none fits
 * @param explanation why no node fits, e.g. "no suitable node (1 node is not ready)"; empty when placed
 */
public record PlacementDecision(String taskId, String nodeId, String explanation) {
  public boolean placed() {
    return nodeId != null;
  }
}
