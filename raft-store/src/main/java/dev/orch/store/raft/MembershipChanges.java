package dev.orch.store.raft;

import dev.orch.store.StoreUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership of the Raft group: who is in it, who leads, and adding or removing a member.
 *
 * <p>Changes are made on the leader, in process (no client round trip), from the configuration
 * the leader holds now and with compare-and-set, so two racing changes cannot silently undo each
 * other. Before proposing one, the leader checks with {@link QuorumCheck} that the members it has
 * heard from lately could commit it and keep committing after it; a change that would strand the
 * group is refused with a message saying why and what to do.
 */
final class MembershipChanges {
  private static final Logger LOG = LoggerFactory.getLogger(MembershipChanges.class);

  private final RaftServer server;
  private final RaftGroupId groupId;
  private final RaftPeerId self;
  private final RaftStoreConfig.Tuning tuning;
  private final Executor completions;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();

  MembershipChanges(RaftServer server, RaftGroupId groupId, String memberId, RaftStoreConfig.Tuning tuning,
      Executor completions) {
    this.server = server;
    this.groupId = groupId;
    this.self = RaftSettings.peerId(memberId);
    this.tuning = tuning;
    this.completions = completions;
  }

  /** The voting members of the configuration in force (during a change, the new one), by id. */
  List<RaftStoreConfig.Peer> members() {
    return division().getRaftConf().getCurrentPeers().stream()
        .map(RaftSettings::peer)
        .sorted(Comparator.comparing(RaftStoreConfig.Peer::id))
        .toList();
  }

  Optional<String> leaderId() {
    RaftPeerId leader = division().getInfo().getLeaderId();
    return leader == null ? Optional.empty() : Optional.of(leader.toString());
  }

  long currentTerm() {
    return division().getInfo().getCurrentTerm();
  }

  /** The term this member leads in, according to Ratis, or -1 when it does not lead. */
  long leadingTerm() {
    RoleInfoProto role = division().getInfo().getRoleInfoProto();
    return role.hasLeaderInfo() ? role.getLeaderInfo().getTerm() : -1;
  }

  /**
   * Members the leader has heard from within the liveness window, itself included; empty on a
   * member that does not lead, since only the leader hears from everyone.
   */
  Set<String> reachable() {
    RaftServer.Division division = division();
    RoleInfoProto role = division.getInfo().getRoleInfoProto();
    Set<String> reachable = new TreeSet<>();
    if (!role.hasLeaderInfo()) {
      return reachable;
    }
    reachable.add(self.toString());
    Set<String> voters = settledVoters(division);
    long window = tuning.livenessWindow().toMillis();
    for (ServerRpcProto follower : role.getLeaderInfo().getFollowerInfoList()) {
      String id = follower.getId().getId().toStringUtf8();
      if (voters.contains(id) && follower.getLastRpcElapsedTimeMs() <= window) {
        reachable.add(id);
      }
    }
    return reachable;
  }

  /**
   * Members whose loss the group already tolerates as voters: those of the configuration in force
   * once it is committed; while a change is under way (joint configuration, or the new one not yet
   * committed), only members of both the old and the new configuration. A member still being added
   * is heard from long before its vote counts, and must not look like a reachable manager then:
   * with the old members alone the group may have no quorum to spare.
   */
  private static Set<String> settledVoters(RaftServer.Division division) {
    RaftConfiguration conf = division.getRaftConf();
    return settledVoters(ids(conf.getCurrentPeers()), ids(conf.getPreviousPeers()),
        conf.getLogEntryIndex() <= division.getRaftLog().getLastCommittedIndex());
  }

  static Set<String> settledVoters(Set<String> current, Set<String> previous, boolean committed) {
    Set<String> voters = new TreeSet<>(current);
    if (!previous.isEmpty()) {
      voters.retainAll(previous);
    } else if (!committed) {
      voters.clear();
    }
    return voters;
  }

  private static Set<String> ids(java.util.Collection<RaftPeer> peers) {
    return peers.stream().map(p -> p.getId().toString()).collect(Collectors.toCollection(TreeSet::new));
  }

  CompletableFuture<Void> add(RaftStoreConfig.Peer peer) {
    try {
      RaftServer.Division leader = leaderDivision("adding member " + peer.id());
      List<RaftPeer> current = stableMembers(leader, "adding member " + peer.id());
      for (RaftPeer member : current) {
        RaftStoreConfig.Peer existing = RaftSettings.peer(member);
        boolean sameAddress = RaftSettings.hostPort(existing.address()).equals(RaftSettings.hostPort(peer.address()));
        if (existing.id().equals(peer.id()) && sameAddress) {
          return CompletableFuture.completedFuture(null);
        }
        if (existing.id().equals(peer.id()) || sameAddress) {
          throw new IllegalArgumentException("cannot add member " + peer.id() + " at "
              + RaftSettings.hostPort(peer.address()) + ": member " + existing.id() + " is already in the group at "
              + RaftSettings.hostPort(existing.address()) + "; remove it first");
        }
      }
      List<RaftPeer> proposed = new ArrayList<>(current);
      proposed.add(RaftSettings.raftPeer(peer));
      Set<String> reachable = reachable();
      reachable.add(peer.id());
      refuseUnsafe("adding member " + peer.id(), current, proposed, reachable);
      return setConfiguration(current, proposed, "adding member " + peer.id());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  CompletableFuture<Void> remove(String memberId) {
    try {
      RaftServer.Division leader = leaderDivision("removing member " + memberId);
      List<RaftPeer> current = stableMembers(leader, "removing member " + memberId);
      List<RaftPeer> proposed = current.stream().filter(p -> !p.getId().toString().equals(memberId)).toList();
      if (proposed.size() == current.size()) {
        return CompletableFuture.completedFuture(null);
      }
      refuseUnsafe("removing member " + memberId, current, proposed, reachable());
      return setConfiguration(current, proposed, "removing member " + memberId);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  CompletableFuture<Void> transferLeadership(String memberId) {
    try {
      leaderDivision("transferring leadership to " + memberId);
      Duration timeout = transferTimeout();
      TransferLeadershipRequest request = new TransferLeadershipRequest(clientId, self, groupId,
          callIds.incrementAndGet(), RaftSettings.peerId(memberId), timeout.toMillis());
      return outcome(server.transferLeadershipAsync(request), timeout.plusSeconds(1),
          "transferring leadership to " + memberId);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(failure("transferring leadership to " + memberId, e, transferTimeout()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Duration transferTimeout() {
    Duration rounds = tuning.electionTimeoutMax().multipliedBy(10);
    return rounds.compareTo(Duration.ofSeconds(2)) < 0 ? Duration.ofSeconds(2) : rounds;
  }

  private void refuseUnsafe(String change, List<RaftPeer> current, List<RaftPeer> proposed, Set<String> reachable) {
    Optional<String> refusal = QuorumCheck.refusal(change, ids(current), ids(proposed), reachable);
    if (refusal.isPresent()) {
      LOG.warn("member {} refused a membership change: {}", self, refusal.get());
      throw new IllegalStateException(refusal.get());
    }
  }

  private CompletableFuture<Void> setConfiguration(List<RaftPeer> current, List<RaftPeer> proposed, String change) {
    SetConfigurationRequest.Arguments arguments = SetConfigurationRequest.Arguments.newBuilder()
        .setServersInCurrentConf(current)
        .setServersInNewConf(proposed)
        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
        .build();
    SetConfigurationRequest request = new SetConfigurationRequest(clientId, self, groupId, callIds.incrementAndGet(),
        arguments);
    LOG.info("member {}: {}; members {} -> {}", self, change, ids(current), ids(proposed));
    try {
      return outcome(server.setConfigurationAsync(request), membershipTimeout(), change);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(failure(change, e, membershipTimeout()));
    }
  }

  /** Long enough for a new member to receive the snapshot and the log after it. */
  private Duration membershipTimeout() {
    return tuning.submitTimeout().multipliedBy(3);
  }

  private CompletableFuture<Void> outcome(CompletableFuture<RaftClientReply> sent, Duration timeout, String change) {
    return sent.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handleAsync((reply, error) -> {
      if (error == null && reply.isSuccess()) {
        LOG.info("member {}: done {}", self, change);
        return null;
      }
      throw new CompletionException(failure(change, error != null ? unwrap(error) : reply.getException(), timeout));
    }, completions);
  }

  private RuntimeException failure(String change, Throwable cause, Duration timeout) {
    if (cause instanceof org.apache.ratis.protocol.exceptions.NotLeaderException notLeader) {
      RaftPeer leader = notLeader.getSuggestedLeader();
      return new NotLeaderException(change + " must be done on the leader, and member " + self
          + " lost leadership meanwhile" + (leader == null ? "" : " to " + leader.getId()),
          leader == null ? null : leader.getId().toString());
    }
    if (cause instanceof ReconfigurationInProgressException) {
      return new IllegalStateException(change + ": another membership change is in progress; retry when it is done");
    }
    if (cause instanceof SetConfigurationException) {
      return new IllegalStateException(change + ": the membership changed meanwhile (" + cause.getMessage()
          + "); check members() and retry");
    }
    if (cause instanceof TimeoutException) {
      return unavailable(change + " was not confirmed within " + timeout.toMillis() + " ms: a new member may still be "
          + "catching up, or the group lost its quorum; check members() before retrying", cause);
    }
    String detail = cause instanceof RaftException ? cause.getMessage() : String.valueOf(cause);
    return unavailable(change + " failed: " + detail, cause);
  }

  /**
   * The division, if this member leads. A follower answers with the leader to forward to; a
   * member that knows no leader reports the outage, since without one nothing can change.
   */
  private RaftServer.Division leaderDivision(String change) {
    RaftServer.Division division = division();
    if (division.getInfo().isLeader()) {
      return division;
    }
    RaftPeerId leader = division.getInfo().getLeaderId();
    if (leader == null || leader.equals(self)) {
      throw unavailable(change + " needs a leader, and member " + self + " knows none: the group has no quorum "
          + "(members " + ids(List.copyOf(division.getRaftConf().getCurrentPeers())) + "). Bring members back; if "
          + "they are gone for good, restart a surviving member with force-new-cluster.", null);
    }
    throw new NotLeaderException(change + " must be done on the leader, " + leader + "; member " + self
        + " follows it", leader.toString());
  }

  private static List<RaftPeer> stableMembers(RaftServer.Division leader, String change) {
    RaftConfiguration conf = leader.getRaftConf();
    if (!conf.getPreviousPeers().isEmpty() || conf.getLogEntryIndex() > leader.getRaftLog().getLastCommittedIndex()) {
      throw new IllegalStateException(change + ": another membership change is in progress; retry when it is done");
    }
    return List.copyOf(conf.getCurrentPeers());
  }

  private RaftServer.Division division() {
    try {
      return server.getDivision(groupId);
    } catch (IOException e) {
      throw unavailable("member " + self + " is not serving its group", e);
    }
  }

  private static Set<String> ids(List<RaftPeer> peers) {
    return peers.stream().map(p -> p.getId().toString()).collect(Collectors.toCollection(TreeSet::new));
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static StoreUnavailableException unavailable(String message, Throwable cause) {
    return new StoreUnavailableException(message, cause);
  }
}
