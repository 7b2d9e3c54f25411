package dev.orch.store.raft;

import dev.orch.store.state.ObjectStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes snapshot files so that a crash at any point leaves either the previous snapshot or a
 * complete new one with its checksum, never a partial file under a snapshot name: the data goes to
 * a temporary file, is forced to disk, its MD5 file is written, and only then is it renamed into
 * place. Ratis' storage ignores the temporary name, and a stray {@code .md5} without its data file
 * is harmless.
 */
final class SnapshotFiles {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotFiles.class);
  private static final String TEMP_SUFFIX = ".orch-tmp";

  /** Produces the snapshot bytes. */
  @FunctionalInterface
  interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  private SnapshotFiles() {}

  /** Writes {@code target} from {@code body} and returns the MD5 recorded next to it. */
  static MD5Hash write(File target, Body body) throws IOException {
    Path finalPath = target.toPath();
    Path temp = finalPath.resolveSibling(target.getName() + TEMP_SUFFIX);
    MessageDigest digest = MD5Hash.newDigester();
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      OutputStream out = new BufferedOutputStream(
          new DigestOutputStream(Channels.newOutputStream(channel), digest), 64 * 1024);
      body.writeTo(out);
      out.flush();
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    MD5Hash md5 = new MD5Hash(digest.digest());
    MD5FileUtil.saveMD5File(target, md5);
    Files.move(temp, finalPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(finalPath.getParent());
    return md5;
  }

  /**
   * Reads a snapshot file: checks its MD5 (when it has one) and that it holds the term and index
   * its name says.
   *
   * @param who names the reader in log lines
   */
  static ObjectStore read(SingleFileSnapshotInfo snapshot, String who) throws IOException {
    Path path = snapshot.getFile().getPath();
    MD5Hash md5 = snapshot.getFile().getFileDigest();
    if (md5 != null) {
      MD5FileUtil.verifySavedMD5(path.toFile(), md5);
    } else {
      // A snapshot received from the leader may arrive without its .md5; Ratis checked the
      // transfer, and the stream's end marker still catches truncation.
      LOG.warn("{}: snapshot {} has no checksum file", who, path);
    }
    ObjectStore.LoadedSnapshot loaded;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 64 * 1024)) {
      loaded = ObjectStore.readSnapshot(in);
    }
    TermIndex named = snapshot.getTermIndex();
    if (loaded.store().index() != named.getIndex() || loaded.term() != named.getTerm()) {
      throw new IOException("snapshot " + path + " is named " + named + " but holds (t:" + loaded.term()
          + ", i:" + loaded.store().index() + ")");
    }
    return loaded.store();
  }

  /** Removes temporary files left by a crash in the middle of {@link #write}. */
  static void deleteLeftovers(File dir) {
    if (dir == null || !dir.isDirectory()) {
      return;
    }
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir.toPath(), "*" + TEMP_SUFFIX)) {
      for (Path temp : temps) {
        LOG.info("removing unfinished snapshot file {}", temp);
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      LOG.warn("could not clean unfinished snapshot files in {}", dir, e);
    }
  }

  /** Makes the rename durable; not every file system supports it, and the data is already safe. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      LOG.debug("could not sync directory {}", dir, e);
    }
  }
}
