package dev.orch.store.raft;

import dev.orch.store.state.ObjectStore;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.SizeInBytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a stopped member's state from its directory alone: the newest snapshot, then every
 * entry of its Raft log after it, in order. Unlike a restart, which applies only what the member
 * knows to be committed, this applies every entry the member received: an entry it had not yet
 * heard was committed may well have been (the leader commits once a majority has it), and a
 * recovery that dropped it could lose an acknowledged write.
 */
final class RaftLogReplay {
  private static final Logger LOG = LoggerFactory.getLogger(RaftLogReplay.class);
  /** Far above any entry the store writes (gRPC would refuse such a transaction first). */
  private static final SizeInBytes MAX_ENTRY = SizeInBytes.valueOf("256MB");

  /** A state rebuilt from a directory, with the log position it reflects. */
  record Recovered(ObjectStore store, long term, long entriesReplayed) {}

  private RaftLogReplay() {}

  /**
   * Reads {@code groupDir}. Ratis' lock file keeps this from reading the directory of a running
   * member. A torn last entry (a crash mid-write) ends the log there; a gap between the snapshot
   * and the log is an error, since the state in between would be missing.
   */
  static Recovered recover(Path groupDir) throws IOException {
    RaftStorage storage = RaftStorage.newBuilder()
        .setDirectory(groupDir.toFile())
        .setOption(RaftStorage.StartupOption.RECOVER)
        .setLogCorruptionPolicy(RaftServerConfigKeys.Log.CorruptionPolicy.WARN_AND_RETURN)
        .setStorageFreeSpaceMin(SizeInBytes.ZERO)
        .build();
    try {
      storage.initialize();
    } catch (IOException e) {
      throw new IOException("cannot open " + groupDir + " (is the member still running?): " + e.getMessage(), e);
    }
    try {
      SimpleStateMachineStorage snapshots = new SimpleStateMachineStorage();
      snapshots.init(storage);
      SingleFileSnapshotInfo latest = snapshots.getLatestSnapshot();
      ObjectStore store = latest == null ? new ObjectStore() : SnapshotFiles.read(latest, "recovery");
      Replayer replayer = new Replayer(store, latest == null ? -1 : latest.getIndex(),
          latest == null ? 0 : latest.getTerm());
      List<LogSegmentPath> segments = new ArrayList<>(LogSegmentPath.getLogSegmentPaths(storage));
      segments.sort(Comparator.comparing(LogSegmentPath::getStartEnd));
      for (LogSegmentPath segment : segments) {
        File file = segment.getPath().toFile();
        LogSegment.readSegmentFile(file, segment.getStartEnd(), MAX_ENTRY,
            RaftServerConfigKeys.Log.CorruptionPolicy.WARN_AND_RETURN, null, replayer::accept);
        replayer.rethrow();
      }
      LOG.info("recovered {}: snapshot {}, then {} log entries, up to (t:{}, i:{}) with {} objects", groupDir,
          latest == null ? "none" : latest.getTermIndex(), replayer.replayed, replayer.lastTerm, store.index(),
          store.size());
      return new Recovered(store, replayer.lastTerm, replayer.replayed);
    } finally {
      storage.close();
    }
  }

  /** Applies entries in log order; Ratis' reader takes a plain consumer, so a failure is kept for later. */
  private static final class Replayer {
    private final ObjectStore store;
    private long lastIndex;
    private long lastTerm;
    private long replayed;
    private IOException failure;

    Replayer(ObjectStore store, long snapshotIndex, long snapshotTerm) {
      this.store = store;
      this.lastIndex = snapshotIndex;
      this.lastTerm = snapshotTerm;
    }

    void accept(LogEntryProto entry) {
      long index = entry.getIndex();
      if (failure != null || index <= lastIndex) {
        return;
      }
      if (index != lastIndex + 1) {
        failure = new IOException("the log misses entries " + (lastIndex + 1) + " to " + (index - 1)
            + " after the snapshot; the state between them cannot be recovered from this member");
        return;
      }
      if (entry.hasStateMachineLogEntry() && index > store.index()) {
        store.applyAll(OrchStateMachine.parse(entry.getStateMachineLogEntry().getLogData(), index), index);
      } else {
        // Configuration changes and Ratis' own bookkeeping move the index, like a live apply does.
        store.advanceIndex(index);
      }
      lastIndex = index;
      lastTerm = entry.getTerm();
      replayed++;
    }

    void rethrow() throws IOException {
      if (failure != null) {
        throw failure;
      }
    }
  }
}
