package dev.orch.store.raft;

import java.io.IOException;

/**
 * Set on a Ratis transaction context when the leader refuses a transaction before replicating it;
 * Ratis returns it to the client inside a {@code StateMachineException}. Its message is the
 * refusal as the proposer should see it.
 */
final class TransactionRefusedException extends IOException {
  private static final long serialVersionUID = 1L;

  TransactionRefusedException(String refusal) {
    super(refusal);
  }
}
