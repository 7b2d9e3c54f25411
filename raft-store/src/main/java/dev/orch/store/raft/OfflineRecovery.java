package dev.orch.store.raft;

import dev.orch.store.state.BackupCodec;
import dev.orch.store.state.ObjectStore;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.RaftStorageMetadata;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.util.AtomicFileOutputStream;
import org.apache.ratis.util.SizeInBytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares a member's directory while it is stopped: from a backup ({@link #restore}) or from
 * what the member itself holds ({@link #forceNewCluster}). Either way the result is the directory
 * of a one-member group whose first start loads the state:
 *
 * <ul>
 *   <li>the state as the group's initial snapshot, named by the term and index it reflects;
 *   <li>Ratis' term record at that term, so the member's first election starts a later term and
 *       the log it starts at the next index carries a term no older than the snapshot's;
 *   <li>a configuration record listing only this member, which Ratis reads on start in
 *       preference to whatever peers the start-up config names.
 * </ul>
 *
 * The directory is built beside {@code dir/raft} and moved into place only when complete, since
 * Ratis serves every group directory it finds under {@code dir/raft}.
 */
final class OfflineRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(OfflineRecovery.class);
  /** Ratis' file name for the configuration it loads before the log (RaftStorageDirectoryImpl's). */
  private static final String CONFIGURATION_FILE = "raft-meta.conf";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private OfflineRecovery() {}

  static void restore(Path dir, InputStream backup, String clusterId, String memberId, InetSocketAddress address)
      throws IOException {
    Path raftDir = RaftSettings.raftDir(dir);
    if (holdsAnything(raftDir)) {
      throw new IOException(raftDir + " already holds a store; restore into a fresh directory (move this one "
          + "away first if it is to be replaced)");
    }
    BackupCodec.Backup read = BackupCodec.read(backup);
    BackupCodec.Header header = read.header();
    Path group = RaftSettings.groupDir(dir, clusterId);
    install(dir, group, stage(dir, group, memberId, address, read.store(), header.term()));
    LOG.info("restored {} objects at index {} (backup of cluster {} taken on member {}) into {} as the only member {}"
        + " of cluster {}", read.store().size(), header.index(), header.clusterId(), header.memberId(), group,
        memberId, clusterId);
  }

  static void forceNewCluster(Path dir, String clusterId, String memberId, InetSocketAddress address, Clock clock)
      throws IOException {
    Path group = RaftSettings.groupDir(dir, clusterId);
    if (!Files.isDirectory(group)) {
      throw new IOException("no store of cluster " + clusterId + " in " + dir + " (expected " + group + ")");
    }
    RaftLogReplay.Recovered recovered = RaftLogReplay.recover(group);
    Path staged = stage(dir, group, memberId, address, recovered.store(), recovered.term());
    // The old directory is kept, out of Ratis' sight, until the operator is satisfied.
    Path aside = dir.resolve("raft-before-force-new-cluster-" + STAMP.format(clock.instant()));
    Files.createDirectories(aside);
    Files.move(group, aside.resolve(group.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    install(dir, group, staged);
    LOG.info("forced a new cluster {} in {}: member {} alone, with {} objects at index {}; the old membership and "
        + "log are in {}", clusterId, group, memberId, recovered.store().size(), recovered.store().index(), aside);
  }

  /** Builds the group directory in {@code dir/raft-staging}; returns where. */
  private static Path stage(Path dir, Path group, String memberId, InetSocketAddress address, ObjectStore state,
      long term) throws IOException {
    Path staging = dir.resolve("raft-staging");
    deleteRecursively(staging);
    Path staged = staging.resolve(group.getFileName());
    Files.createDirectories(staged);
    RaftStorage storage = RaftStorage.newBuilder()
        .setDirectory(staged.toFile())
        .setOption(RaftStorage.StartupOption.FORMAT)
        .setStorageFreeSpaceMin(SizeInBytes.ZERO)
        .build();
    storage.initialize();
    try {
      long index = state.index();
      storage.getMetadataFile().persist(RaftStorageMetadata.valueOf(term, null));
      writeConfiguration(storage.getStorageDir().getCurrentDir(), memberId, address, term, index);
      SimpleStateMachineStorage snapshots = new SimpleStateMachineStorage();
      snapshots.init(storage);
      File snapshot = snapshots.getSnapshotFile(term, index);
      Files.createDirectories(snapshot.getParentFile().toPath());
      SnapshotFiles.write(snapshot, out -> state.writeSnapshot(out, term));
    } finally {
      storage.close();
    }
    return staged;
  }

  /** The configuration entry Ratis records when a snapshot is installed: here, only this member. */
  private static void writeConfiguration(File currentDir, String memberId, InetSocketAddress address, long term,
      long index) throws IOException {
    RaftConfigurationProto conf = RaftConfigurationProto.newBuilder()
        .addPeers(RaftSettings.raftPeer(new RaftStoreConfig.Peer(memberId, address)).getRaftPeerProto())
        .build();
    LogEntryProto entry = LogEntryProto.newBuilder().setTerm(term).setIndex(index).setConfigurationEntry(conf).build();
    try (OutputStream out = new AtomicFileOutputStream(new File(currentDir, CONFIGURATION_FILE))) {
      entry.writeTo(out);
    }
  }

  private static void install(Path dir, Path group, Path staged) throws IOException {
    Files.createDirectories(group.getParent());
    Files.move(staged, group, StandardCopyOption.ATOMIC_MOVE);
    deleteRecursively(dir.resolve("raft-staging"));
  }

  private static boolean holdsAnything(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return entries.iterator().hasNext();
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
