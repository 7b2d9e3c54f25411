package dev.orch.store.raft;

import dev.orch.store.StoreUnavailableException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis client a member submits through, kept in step with the group's membership.
 *
 * <p>The client must know the members to find the leader, and the membership is whatever the
 * log says now (a joining member starts knowing no one; a restarted member may have been given
 * an outdated peer list), so the client is built from the member's current configuration and
 * rebuilt when that changes. A replaced client is closed only after the submit timeout, so that
 * requests already in flight on it finish.
 */
final class RaftClients implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftClients.class);
  private static final Comparator<RaftPeer> BY_ID = Comparator.comparing(p -> p.getId().toString());

  private final RaftStoreConfig config;
  private final RaftServer server;
  private final RaftGroupId groupId;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}: the client, the configuration object and the peers it was built for. */
  private RaftClient client;
  private RaftConfiguration builtFor;
  private List<RaftPeer> builtPeers = List.of();
  private boolean closed;

  RaftClients(RaftStoreConfig config, RaftServer server, RaftGroupId groupId) {
    this.config = config;
    this.server = server;
    this.groupId = groupId;
  }

  /**
   * The client for the current membership.
   *
   * @throws StoreUnavailableException when this member is closed or has not been added to a group
   */
  RaftClient current() {
    RaftServer.Division division = division();
    RaftConfiguration conf = division.getRaftConf();
    synchronized (lock) {
      if (closed) {
        throw new StoreUnavailableException("store member " + config.memberId() + " is closed", null);
      }
      if (client != null && conf == builtFor) {
        return client;
      }
      List<RaftPeer> peers = peersOf(conf);
      if (client != null && peers.equals(builtPeers)) {
        builtFor = conf;
        return client;
      }
      if (peers.isEmpty()) {
        throw new StoreUnavailableException("store member " + config.memberId() + " has not been added to the "
            + "group yet: it joins when the leader adds it (addMember)", null);
      }
      RaftClient old = client;
      client = build(peers, division.getInfo().getLeaderId());
      builtFor = conf;
      builtPeers = peers;
      if (old != null) {
        LOG.info("store member {}: membership is now {}; renewed the Raft client", config.memberId(), ids(peers));
        closeLater(old);
      }
      return client;
    }
  }

  /** Throws away a client whose request failed; the next {@link #current} builds a fresh one. */
  void renew(RaftClient failed) {
    synchronized (lock) {
      if (client != failed || closed) {
        return;
      }
      client = null;
      builtFor = null;
    }
    LOG.info("store member {}: renewed the Raft client after a failed submit", config.memberId());
    closeQuietly(failed);
  }

  private RaftClient build(List<RaftPeer> peers, RaftPeerId knownLeader) {
    RaftPeerId self = RaftSettings.peerId(config.memberId());
    // Controllers submit on the leader, so guess ourselves first; a wrong guess costs one redirect.
    RaftPeerId guess = contains(peers, self) ? self : knownLeader != null && contains(peers, knownLeader)
        ? knownLeader : null;
    RaftClient.Builder builder = RaftClient.newBuilder()
        .setRaftGroup(RaftGroup.valueOf(groupId, peers))
        .setProperties(RaftSettings.clientProperties(config))
        .setRetryPolicy(RaftSettings.clientRetryPolicy(config));
    if (guess != null) {
      builder.setLeaderId(guess);
    }
    return builder.build();
  }

  /** Members of the configuration now and, during a change, of the one before: the leader is among them. */
  private static List<RaftPeer> peersOf(RaftConfiguration conf) {
    List<RaftPeer> peers = new ArrayList<>(conf.getCurrentPeers());
    for (RaftPeer previous : conf.getPreviousPeers()) {
      if (!contains(peers, previous.getId())) {
        peers.add(previous);
      }
    }
    peers.sort(BY_ID);
    return List.copyOf(peers);
  }

  private static boolean contains(List<RaftPeer> peers, RaftPeerId id) {
    return peers.stream().anyMatch(p -> p.getId().equals(id));
  }

  private static List<String> ids(List<RaftPeer> peers) {
    return peers.stream().map(p -> p.getId().toString()).toList();
  }

  private RaftServer.Division division() {
    try {
      return server.getDivision(groupId);
    } catch (IOException e) {
      throw new StoreUnavailableException("store member " + config.memberId() + " is not serving its group", e);
    }
  }

  private void closeLater(RaftClient old) {
    long delay = config.tuning().submitTimeout().toMillis();
    CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(() -> closeQuietly(old));
  }

  @Override
  public void close() {
    RaftClient last;
    synchronized (lock) {
      closed = true;
      last = client;
      client = null;
    }
    if (last != null) {
      closeQuietly(last);
    }
  }

  private static void closeQuietly(RaftClient client) {
    try {
      client.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not close a Raft client cleanly", e);
    }
  }
}
