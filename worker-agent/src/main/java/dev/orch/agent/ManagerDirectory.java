package dev.orch.agent;

import io.grpc.Channel;
import java.util.List;

/**
 * Which manager the agent talks to. Sessions are with the leader's dispatcher; a follower refuses
 * with a hint naming the leader, and a failed manager is skipped for the next one the agent knows.
 */
public interface ManagerDirectory {
  /** The channel to try for the next session. */
  Channel current();

  /** Address of {@link #current()}, for logs. */
  String currentAddress();

  /**
   * The session failed: follow a leader hint in {@code cause}, or move on to another manager.
   *
   * @return true when it followed a hint to another manager: the next session is worth trying
   *     soon, without backing off further
   */
  boolean sessionFailed(Throwable cause);

  /** The managers of the cluster, as the dispatcher listed them when the session opened. */
  void managersLearned(List<String> addresses);

  /** The role the cluster wants this node in, as the dispatcher said when the session opened. */
  default void roleAssigned(dev.orch.proto.NodeRole role) {}
}
