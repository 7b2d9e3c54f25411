package dev.orch.store.raft;

import dev.orch.store.StoreUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

/**
 * Waits until this member's state reflects every write committed before the call (ReadIndex,
 * Raft paper section 6.4): a read-only request goes to this member's own Ratis server, in
 * process; the server (configured for linearizable reads) asks the leader for its commit index,
 * the leader confirms it still leads with a round of heartbeats to a majority, and the server
 * answers once its state machine has applied that index. A read of the local state after that is
 * linearizable, whether this member leads or follows.
 *
 * <p>Failures during an election (no leader known yet, leader not ready) are retried until the
 * read timeout, which is short: a member cut off from the majority must say so quickly rather
 * than keep its caller waiting.
 */
final class LinearizableReads {
  private static final long RETRY_PAUSE_MS = 25;

  private final RaftServer server;
  private final RaftGroupId groupId;
  private final RaftPeerId self;
  private final Duration timeout;
  private final BooleanSupplier closed;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();

  LinearizableReads(RaftServer server, RaftGroupId groupId, String memberId, Duration timeout, BooleanSupplier closed) {
    this.server = server;
    this.groupId = groupId;
    this.self = RaftSettings.peerId(memberId);
    this.timeout = timeout;
    this.closed = closed;
  }

  /**
   * Returns once the local state is at least at the leader's commit index as of this call.
   *
   * @throws StoreUnavailableException when no leader confirmed it within the read timeout
   */
  void awaitReadIndex() {
    long deadline = System.nanoTime() + timeout.toNanos();
    Throwable last = null;
    while (true) {
      if (closed.getAsBoolean()) {
        throw new StoreUnavailableException("store member " + self + " is closed", null);
      }
      long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (remainingMs <= 0) {
        throw new StoreUnavailableException("no linearizable read within " + timeout.toMillis() + " ms: the cluster has"
            + " no leader or no quorum (store member " + self + " sees leader " + leaderHint() + ")"
            + (last == null ? "" : "; last attempt: " + describe(last)), last);
      }
      try {
        RaftClientReply reply = server.submitClientRequestAsync(request()).get(remainingMs, TimeUnit.MILLISECONDS);
        if (reply.isSuccess()) {
          return;
        }
        last = reply.getException();
      } catch (ExecutionException e) {
        last = e.getCause();
      } catch (TimeoutException | IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreUnavailableException("interrupted while confirming a read with the leader", e);
      }
      pause(Math.min(RETRY_PAUSE_MS, remainingMs));
    }
  }

  private RaftClientRequest request() {
    return RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(self)
        .setGroupId(groupId)
        .setCallId(callIds.incrementAndGet())
        .setMessage(Message.EMPTY)
        .setType(RaftClientRequest.readRequestType())
        .build();
  }

  private String leaderHint() {
    try {
      RaftPeerId leader = server.getDivision(groupId).getInfo().getLeaderId();
      return leader == null ? "none" : leader.toString();
    } catch (IOException | RuntimeException e) {
      return "none";
    }
  }

  private static String describe(Throwable t) {
    return t instanceof TimeoutException ? "timed out" : t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while confirming a read with the leader", e);
    }
  }
}
