package dev.orch.store.raft;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** Turns a {@link RaftStoreConfig} into Ratis' group, peers and properties, in one place. */
final class RaftSettings {
  /** Ratis' own default (4 MiB) preallocation would dwarf small test segments. */
  private static final long MAX_PREALLOCATION = 4L << 20;
  /** Entries kept before a snapshot so a follower that is only a little behind gets entries, not a snapshot. */
  private static final long MAX_PRESERVED_ENTRIES = 1_000;
  private static final int MAX_OUTSTANDING_SUBMITS = 1_024;
  /**
   * The largest log entry Ratis accepts. Ratis' own default (4 MiB) sat exactly at the size the
   * leader fills a batched entry to, and an entry over the limit does not merely fail: Ratis
   * refuses it as a state machine error and makes the leader step down, so a busy single-member
   * manager lost its leadership for an election timeout now and then.
   */
  static final int MAX_ENTRY_BYTES = 16 << 20;
  /** Room for the entry's own fields (term, index, client and call ids) around the transactions. */
  static final int ENTRY_HEADER_ALLOWANCE = 64 << 10;
  /** The largest transaction a member proposes; a larger one is refused before it reaches the log. */
  static final int MAX_TRANSACTION_BYTES = MAX_ENTRY_BYTES - ENTRY_HEADER_ALLOWANCE;

  private RaftSettings() {}

  /**
   * The Raft group id is derived from the cluster id (a name-based UUID) so that every member
   * computes the same one without it being stored anywhere, and two clusters never mix logs.
   */
  static RaftGroupId groupId(String clusterId) {
    return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("orch-cluster/" + clusterId).getBytes(StandardCharsets.UTF_8)));
  }

  static RaftGroup group(RaftStoreConfig config) {
    List<RaftPeer> peers = config.peers().stream().map(RaftSettings::raftPeer).toList();
    return RaftGroup.valueOf(groupId(config.clusterId()), peers);
  }

  static RaftPeerId peerId(String memberId) {
    return RaftPeerId.valueOf(memberId);
  }

  static String hostPort(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  static RaftPeer raftPeer(RaftStoreConfig.Peer peer) {
    return RaftPeer.newBuilder().setId(peer.id()).setAddress(hostPort(peer.address())).build();
  }

  /** The inverse of {@link #raftPeer}; Ratis keeps addresses as {@code host:port} strings. */
  static RaftStoreConfig.Peer peer(RaftPeer peer) {
    String address = peer.getAddress();
    int colon = address == null ? -1 : address.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalStateException("member " + peer.getId() + " has no host:port address: " + address);
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new RaftStoreConfig.Peer(peer.getId().toString(),
        new InetSocketAddress(host, Integer.parseInt(address.substring(colon + 1))));
  }

  /** Where Ratis keeps this group's log and snapshots. */
  static Path groupDir(RaftStoreConfig config) {
    return groupDir(config.dir(), config.clusterId());
  }

  /** Ratis keeps every group it serves in a directory named by the group's UUID under {@code dir/raft}. */
  static Path groupDir(Path dir, String clusterId) {
    return raftDir(dir).resolve(groupId(clusterId).getUuid().toString());
  }

  static Path raftDir(Path dir) {
    return dir.resolve("raft");
  }

  /**
   * Ratis must be told whether to create the group's storage or recover it: formatting refuses an
   * existing directory and recovering needs one.
   */
  static RaftStorage.StartupOption startupOption(RaftStoreConfig config) {
    return Files.isDirectory(groupDir(config)) ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT;
  }

  static RaftProperties serverProperties(RaftStoreConfig config) {
    RaftStoreConfig.Tuning tuning = config.tuning();
    RaftProperties properties = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(properties, List.of(config.dir().resolve("raft").toFile()));
    GrpcConfigKeys.Server.setHost(properties, config.raftAddress().getHostString());
    GrpcConfigKeys.Server.setPort(properties, config.raftAddress().getPort());

    TimeDuration min = duration(tuning.electionTimeoutMin());
    TimeDuration max = duration(tuning.electionTimeoutMax());
    RaftServerConfigKeys.Rpc.setTimeoutMin(properties, min);
    RaftServerConfigKeys.Rpc.setTimeoutMax(properties, max);
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(properties, min);
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(properties, max);

    long every = tuning.snapshotEveryEntries();
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, every);
    // One spare in case the newest is unreadable.
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
    // Purge up to the snapshot even while a follower is down; otherwise one dead member would
    // stop compaction for good. A follower behind the purged log gets the snapshot instead.
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
    RaftServerConfigKeys.Log.setPurgeGap(properties, (int) Math.min(1024, every));
    RaftServerConfigKeys.Log.setPurgePreservationLogNum(properties, Math.min(MAX_PRESERVED_ENTRIES, every / 2));

    // Reads that must be linearizable confirm the leader's commit index first (ReadIndex, Raft
    // paper section 6.4); Ratis' default would answer from whatever the member has applied.
    RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setTimeout(properties, duration(tuning.readTimeout()));

    // Ratis would append an entry recording the commit index after every commit, only so that a
    // restarted member can apply before it hears from a leader; that extra write (and fsync) sits
    // in front of the next transaction on every member. A restarted member learns the commit
    // index from the leader within a heartbeat anyway, and recovery replays the whole log.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(properties, false);
    long segment = tuning.logSegmentBytes();
    RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf(segment));
    // Closed segments kept in memory: Ratis' default of six held ~50 MB of entries that were
    // already applied and snapshotted (0.5 KiB per task at 100,000 tasks); a follower that needs
    // older entries has them read back from disk.
    RaftServerConfigKeys.Log.setSegmentCacheNumMax(properties, 2);
    RaftServerConfigKeys.Log.setPreallocatedSize(properties, SizeInBytes.valueOf(Math.min(segment, MAX_PREALLOCATION)));
    // The entry limit, and the log's write buffer that must hold one whole entry (Ratis checks).
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(properties, SizeInBytes.valueOf(MAX_ENTRY_BYTES));
    RaftServerConfigKeys.Log.setWriteBufferSize(properties, SizeInBytes.valueOf(MAX_ENTRY_BYTES + ENTRY_HEADER_ALLOWANCE));
    return properties;
  }

  static RaftProperties clientProperties(RaftStoreConfig config) {
    RaftProperties properties = new RaftProperties();
    // A single attempt must fit well inside the submit timeout, or one lost reply uses it all.
    Duration attempt = config.tuning().submitTimeout().dividedBy(3);
    RaftClientConfigKeys.Rpc.setRequestTimeout(properties, duration(attempt.compareTo(Duration.ofSeconds(3)) < 0
        ? attempt : Duration.ofSeconds(3)));
    // The dummy request only warms up the connection, and fails noisily while there is no leader yet.
    RaftClientConfigKeys.Async.Experimental.setSendDummyRequest(properties, false);
    // Every controller and API call of a manager shares one client; Ratis' default of 100 requests
    // in flight would queue the 101st caller behind the others' round trips.
    RaftClientConfigKeys.Async.setOutstandingRequestsMax(properties, MAX_OUTSTANDING_SUBMITS);
    return properties;
  }

  /**
   * Retries (no leader yet, leader changed, request timed out) stop about when {@code submit}'s own
   * deadline passes, so a request does not linger in the client after its caller was told the
   * store is unavailable; the first ones come quickly, to find a new leader at once.
   */
  static RetryPolicy clientRetryPolicy(RaftStoreConfig config) {
    return new LeaderSearchRetry(config.tuning().submitTimeout());
  }

  static TimeDuration duration(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }
}
