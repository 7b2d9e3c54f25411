package dev.orch.store.raft;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link RaftStore} member needs to start.
 *
 * @param dir this member's state directory; Raft keeps its log and snapshots under {@code dir/raft}
 * @param clusterId names the cluster; every member must use the same one, since the Raft group id
 *     is derived from it
 * @param memberId this member's id; must be one of {@code peers} unless {@code peers} is empty
 * @param raftAddress where this member's Raft server listens
 * @param peers every voting member, this one included, when this member bootstraps a new group;
 *     empty when it joins an existing group (see {@link #joining}). Either way, a member whose
 *     directory already holds the group's Raft state restarts into the membership recorded there
 *     and ignores this list.
 * @param tuning timeouts and log compaction settings; {@link Tuning#DEFAULTS} suits production
 */
public record RaftStoreConfig(
    Path dir, String clusterId, String memberId, InetSocketAddress raftAddress, List<Peer> peers, Tuning tuning) {

  /** A voting member of the Raft group and the address other members reach it at. */
  public record Peer(String id, InetSocketAddress address) {
    public Peer {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(address, "address");
      if (id.isBlank()) {
        throw new IllegalArgumentException("peer id is blank");
      }
    }
  }

  /**
   * Knobs with sensible defaults. Election timeouts are short because managers are on one LAN and
   * a single-member cluster should elect itself in well under a second.
   *
   * @param electionTimeoutMin lower bound of the randomised election timeout
   * @param electionTimeoutMax upper bound of the randomised election timeout
   * @param submitTimeout how long {@code submit} waits for a commit before reporting the store
   *     unavailable
   * @param snapshotEveryEntries take a snapshot (and purge the log before it) every this many
   *     applied entries
   * @param logSegmentBytes maximum size of one log segment file; the log is purged whole segments
   *     at a time, so smaller segments free disk sooner
   * @param readTimeout how long {@code readLinearizable} keeps trying to confirm the read index
   *     with a leader before reporting the store unavailable; an election takes well under it
   */
  public record Tuning(
      Duration electionTimeoutMin,
      Duration electionTimeoutMax,
      Duration submitTimeout,
      long snapshotEveryEntries,
      long logSegmentBytes,
      Duration readTimeout) {

    public static final Tuning DEFAULTS = new Tuning(
        Duration.ofMillis(150), Duration.ofMillis(300), Duration.ofSeconds(10), 10_000, 8L << 20,
        Duration.ofSeconds(3));

    /** Tuning with the default read timeout. */
    public Tuning(Duration electionTimeoutMin, Duration electionTimeoutMax, Duration submitTimeout,
        long snapshotEveryEntries, long logSegmentBytes) {
      this(electionTimeoutMin, electionTimeoutMax, submitTimeout, snapshotEveryEntries, logSegmentBytes,
          Duration.ofSeconds(3));
    }

    public Tuning {
      Objects.requireNonNull(electionTimeoutMin, "electionTimeoutMin");
      Objects.requireNonNull(electionTimeoutMax, "electionTimeoutMax");
      Objects.requireNonNull(submitTimeout, "submitTimeout");
      Objects.requireNonNull(readTimeout, "readTimeout");
      if (readTimeout.isNegative() || readTimeout.isZero()) {
        throw new IllegalArgumentException("readTimeout must be positive, got " + readTimeout);
      }
      if (electionTimeoutMin.isNegative() || electionTimeoutMin.isZero()
          || electionTimeoutMax.compareTo(electionTimeoutMin) < 0) {
        throw new IllegalArgumentException("election timeouts must satisfy 0 < min <= max, got "
            + electionTimeoutMin + ", " + electionTimeoutMax);
      }
      if (submitTimeout.isNegative() || submitTimeout.isZero()) {
        throw new IllegalArgumentException("submitTimeout must be positive, got " + submitTimeout);
      }
      if (snapshotEveryEntries < 1) {
        throw new IllegalArgumentException("snapshotEveryEntries must be at least 1, got " + snapshotEveryEntries);
      }
      if (logSegmentBytes < 4096) {
        throw new IllegalArgumentException("logSegmentBytes must be at least 4096, got " + logSegmentBytes);
      }
    }

    public Tuning withSnapshotEveryEntries(long entries) {
      return new Tuning(electionTimeoutMin, electionTimeoutMax, submitTimeout, entries, logSegmentBytes, readTimeout);
    }

    public Tuning withLogSegmentBytes(long bytes) {
      return new Tuning(electionTimeoutMin, electionTimeoutMax, submitTimeout, snapshotEveryEntries, bytes,
          readTimeout);
    }

    public Tuning withSubmitTimeout(Duration timeout) {
      return new Tuning(electionTimeoutMin, electionTimeoutMax, timeout, snapshotEveryEntries, logSegmentBytes,
          readTimeout);
    }

    public Tuning withReadTimeout(Duration timeout) {
      return new Tuning(electionTimeoutMin, electionTimeoutMax, submitTimeout, snapshotEveryEntries, logSegmentBytes,
          timeout);
    }

    /**
     * How recently the leader must have heard from a member to count it as reachable when it
     * checks that a membership change keeps a quorum: several heartbeat rounds, so one slow reply
     * does not make a member look down, and at least a second.
     */
    Duration livenessWindow() {
      Duration rounds = electionTimeoutMax.multipliedBy(5);
      return rounds.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : rounds;
    }
  }

  /** A config with {@link Tuning#DEFAULTS}. */
  public RaftStoreConfig(Path dir, String clusterId, String memberId, InetSocketAddress raftAddress, List<Peer> peers) {
    this(dir, clusterId, memberId, raftAddress, peers, Tuning.DEFAULTS);
  }

  public RaftStoreConfig {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(memberId, "memberId");
    Objects.requireNonNull(raftAddress, "raftAddress");
    Objects.requireNonNull(tuning, "tuning");
    peers = List.copyOf(peers);
    if (raftAddress.getPort() == 0) {
      throw new IllegalArgumentException("raftAddress needs a fixed port: the other members must know where to call");
    }
    if (clusterId.isBlank()) {
      throw new IllegalArgumentException("clusterId is blank");
    }
    Set<String> ids = new HashSet<>();
    for (Peer peer : peers) {
      if (!ids.add(peer.id())) {
        throw new IllegalArgumentException("peer " + peer.id() + " is listed twice");
      }
    }
    if (!peers.isEmpty() && !ids.contains(memberId)) {
      throw new IllegalArgumentException("member " + memberId + " is not among the peers " + ids);
    }
  }

  /**
   * A member that joins an existing group instead of bootstrapping one: it starts with an empty
   * membership, elects no one and serves nothing until the group's leader adds it with
   * {@link RaftStore#addMember}; the leader then sends it the state (a snapshot and the log after
   * it). Once added, the membership is recorded in its directory, so a restart with this same
   * config rejoins the group.
   *
   * @param address where this member listens; the leader is given the same address in addMember
   */
  public static RaftStoreConfig joining(Path dir, String clusterId, String memberId, InetSocketAddress address) {
    return new RaftStoreConfig(dir, clusterId, memberId, address, List.of());
  }

  /** Whether this config joins an existing group (no peers given) rather than bootstrapping one. */
  public boolean joinsExistingGroup() {
    return peers.isEmpty();
  }

  /** A one-member cluster: the member is its own only peer, reachable at the address it listens on. */
  public static RaftStoreConfig singleMember(Path dir, String clusterId, String memberId, InetSocketAddress address) {
    return new RaftStoreConfig(dir, clusterId, memberId, address, List.of(new Peer(memberId, address)));
  }

  public RaftStoreConfig withTuning(Tuning newTuning) {
    return new RaftStoreConfig(dir, clusterId, memberId, raftAddress, peers, newTuning);
  }
}
