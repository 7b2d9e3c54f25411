package dev.orch.agent.image;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks one layer tar into a directory that overlayfs can use as a lower layer: OCI whiteouts
 * become overlay whiteouts (char device 0:0) and opaque markers become the {@code
 * trusted.overlay.opaque} xattr.
 *
 * <p>Java creates files, dirs, links and sets owners, modes and times; what it cannot do (device
 * nodes, whiteouts, trusted/security xattrs) is collected and handed to {@code orch-shim
 * layer-fixup} in one call. Entries that would land outside the directory — {@code ../} names,
 * hardlinks out, or a path through a symlink the layer itself created — are refused, because a
 * layer is untrusted input unpacked as root.
 */
final class LayerUnpacker {

  private static final String WHITEOUT = ".wh.";
  private static final String OPAQUE = ".wh..wh..opq";

  private final Path shim;
  private final boolean preserveOwners;

  /** Metadata applied after all entries are in, deepest first, so writes do not undo it. */
  private record Deferred(Path path, int mode, long uid, long gid, FileTime mtime) {}

  LayerUnpacker(Path shim, boolean preserveOwners) {
    this.shim = shim;
    this.preserveOwners = preserveOwners;
  }

  void unpack(InputStream raw, Path root, String what) throws IOException {
    InputStream in = new BufferedInputStream(raw, 64 * 1024);
    in.mark(4);
    byte[] head = in.readNBytes(4);
    in.reset();
    String type = OciDocuments.layerMediaType(head);
    if (type.equals(OciDocuments.LAYER_TAR_ZSTD)) {
      throw new ImageException(what + ": zstd-compressed layers are not supported");
    }
    if (type.equals(OciDocuments.LAYER_TAR_GZIP)) {
      in = new BufferedInputStream(new GzipCompressorInputStream(in), 64 * 1024);
    }
    Path base = root.toAbsolutePath().normalize();
    ByteArrayOutputStream fixups = new ByteArrayOutputStream();
    List<Deferred> deferred = new ArrayList<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        unpackEntry(tar, e, base, fixups, deferred, what);
      }
    }
    runFixups(base, fixups.toByteArray(), what);
    for (int i = deferred.size() - 1; i >= 0; i--) {
      Deferred d = deferred.get(i);
      setOwnerAndMode(d.path(), d.uid(), d.gid(), d.mode());
      setMtime(d.path(), d.mtime());
    }
  }

  private void unpackEntry(
      TarArchiveInputStream tar, TarArchiveEntry e, Path base, ByteArrayOutputStream fixups,
      List<Deferred> deferred, String what) throws IOException {
    Path target = inside(base, e.getName(), what);
    if (target.equals(base)) {
      if (e.isDirectory()) {
        deferred.add(new Deferred(base, e.getMode(), e.getLongUserId(), e.getLongGroupId(), e.getLastModifiedTime()));
      }
      return;
    }
    Path parent = target.getParent();
    ensureRealDirs(base, parent, what);
    String name = target.getFileName().toString();
    if (name.equals(OPAQUE)) {
      record(fixups, "o", rel(base, parent));
      return;
    }
    if (name.startsWith(WHITEOUT)) {
      Path hidden = parent.resolve(name.substring(WHITEOUT.length()));
      removeExisting(hidden);
      record(fixups, "w", rel(base, hidden));
      return;
    }
    if (e.isDirectory()) {
      if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        removeExisting(target);
        Files.createDirectory(target);
      }
      deferred.add(new Deferred(target, e.getMode(), e.getLongUserId(), e.getLongGroupId(), e.getLastModifiedTime()));
    } else {
      removeExisting(target);
      if (e.isSymbolicLink()) {
        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
        setOwner(target, e.getLongUserId(), e.getLongGroupId());
        setMtime(target, e.getLastModifiedTime());
      } else if (e.isLink()) {
        Path source = inside(base, e.getLinkName(), what);
        ensureRealDirs(base, source.getParent(), what);
        if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
          throw new ImageException(what + ": hardlink " + e.getName() + " to missing or directory " + e.getLinkName());
        }
        Files.createLink(target, source);
      } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
        int typeBits = e.isCharacterDevice() ? 0020000 : e.isBlockDevice() ? 0060000 : 0010000;
        // Owner, mode and mtime are set by the shim too: Java's chmod opens the file, and a FIFO blocks.
        long uid = preserveOwners ? e.getLongUserId() : -1;
        long gid = preserveOwners ? e.getLongGroupId() : -1;
        record(fixups, "n", rel(base, target), Integer.toOctalString(typeBits | (e.getMode() & 07777)),
            Integer.toString(e.getDevMajor()), Integer.toString(e.getDevMinor()),
            Long.toUnsignedString(uid & 0xffffffffL), Long.toUnsignedString(gid & 0xffffffffL),
            Long.toString(e.getLastModifiedTime().toMillis() / 1000));
      } else if (e.isFile()) {
        Files.copy(tar, target);
        setOwnerAndMode(target, e.getLongUserId(), e.getLongGroupId(), e.getMode());
        setMtime(target, e.getLastModifiedTime());
      } else {
        return; // sockets and other exotica: nothing a container needs from an image
      }
    }
    recordXattrs(fixups, e, rel(base, target));
  }

  /** The entry's path under {@code base}; refuses names that climb out of it. */
  private static Path inside(Path base, String entryName, String what) throws ImageException {
    Path target = base.resolve(stripLeadingSlashes(entryName)).normalize();
    if (!target.startsWith(base)) {
      throw new ImageException(what + ": entry " + entryName + " escapes the layer directory");
    }
    return target;
  }

  private static String stripLeadingSlashes(String name) {
    int i = 0;
    while (i < name.length() && name.charAt(i) == '/') {
      i++;
    }
    return name.substring(i);
  }

  /**
   * Makes every directory from {@code base} to {@code dir} exist and refuses any that is a
   * symlink: writing through a symlink the layer planted (say {@code etc -> /etc}) would write to
   * the host.
   */
  private static void ensureRealDirs(Path base, Path dir, String what) throws IOException {
    Path current = base;
    for (Path part : base.relativize(dir)) {
      current = current.resolve(part);
      if (Files.isSymbolicLink(current)) {
        throw new ImageException(what + ": entry path goes through symlink " + base.relativize(current));
      }
      if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(current);
      } else if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
        throw new ImageException(what + ": " + base.relativize(current) + " is a file but has entries below it");
      }
    }
  }

  /** A later entry replaces an earlier one, as tar does; a directory goes with its contents. */
  private static void removeExisting(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (var children = Files.list(p)) {
        for (Path c : (Iterable<Path>) children::iterator) {
          removeExisting(c);
        }
      }
    }
    Files.deleteIfExists(p);
  }

  private void setOwnerAndMode(Path p, long uid, long gid, int mode) throws IOException {
    setOwner(p, uid, gid); // chown first: it clears the setuid and setgid bits chmod sets
    Files.setAttribute(p, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
  }

  private void setOwner(Path p, long uid, long gid) throws IOException {
    if (!preserveOwners) {
      return;
    }
    Files.setAttribute(p, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
  }

  private static void setMtime(Path p, FileTime mtime) throws IOException {
    Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes(mtime, mtime, null);
  }

  /** Extended attributes from PAX headers: SCHILY.xattr (text) and LIBARCHIVE.xattr (base64). */
  private static void recordXattrs(ByteArrayOutputStream fixups, TarArchiveEntry e, String rel) {
    for (Map.Entry<String, String> h : e.getExtraPaxHeaders().entrySet()) {
      byte[] value;
      String attr;
      if (h.getKey().startsWith("SCHILY.xattr.")) {
        attr = h.getKey().substring("SCHILY.xattr.".length());
        value = h.getValue().getBytes(StandardCharsets.UTF_8);
      } else if (h.getKey().startsWith("LIBARCHIVE.xattr.")) {
        attr = h.getKey().substring("LIBARCHIVE.xattr.".length());
        value = Base64.getDecoder().decode(h.getValue());
      } else {
        continue;
      }
      record(fixups, "x", rel, attr, HexFormat.of().formatHex(value));
    }
  }

  private static String rel(Path base, Path p) {
    return base.relativize(p).toString();
  }

  private static void record(ByteArrayOutputStream out, String... fields) {
    for (String f : fields) {
      out.writeBytes(f.getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
  }

  private void runFixups(Path base, byte[] records, String what) throws IOException {
    if (records.length == 0) {
      return;
    }
    Process p = new ProcessBuilder(shim.toString(), "layer-fixup", base.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    try (OutputStream stdin = p.getOutputStream()) {
      stdin.write(records);
    }
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (p.waitFor() != 0) {
        throw new ImageException(what + ": " + (err.isEmpty() ? "layer-fixup failed" : err));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new FileSystemException(base.toString(), null, "interrupted while applying whiteouts");
    }
  }
}
