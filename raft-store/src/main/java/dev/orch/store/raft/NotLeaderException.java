package dev.orch.store.raft;

import java.util.Optional;

/**
 * A call that only the leader may serve (a membership change, a leadership transfer) reached a
 * member that follows another leader. The caller forwards it to {@link #leaderId()}.
 */
public final class NotLeaderException extends IllegalStateException {
  private final String leaderId;

  NotLeaderException(String message, String leaderId) {
    super(message);
    this.leaderId = leaderId;
  }

  /** The member this one believes leads, if it knows one. */
  public Optional<String> leaderId() {
    return Optional.ofNullable(leaderId);
  }
}
