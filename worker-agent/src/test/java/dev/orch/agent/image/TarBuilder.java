package dev.orch.agent.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds small tar archives in memory, entry by entry, for layer and archive tests. */
public final class TarBuilder {

  public static final Instant MTIME = Instant.parse("2020-01-02T03:04:05Z");

  private final List<Consumer<TarArchiveOutputStream>> entries = new ArrayList<>();

  public TarBuilder dir(String name, int mode) {
    return add(new TarArchiveEntry(name.endsWith("/") ? name : name + "/"), e -> e.setMode(mode), null);
  }

  public TarBuilder file(String name, String content) {
    return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, 0, 0);
  }

  public TarBuilder file(String name, byte[] content, int mode, int uid, int gid) {
    return add(new TarArchiveEntry(name), e -> {
      e.setMode(mode);
      e.setUserId(uid);
      e.setGroupId(gid);
      e.setSize(content.length);
    }, content);
  }

  public TarBuilder symlink(String name, String target) {
    return add(new TarArchiveEntry(name, TarConstants.LF_SYMLINK), e -> e.setLinkName(target), null);
  }

  public TarBuilder hardlink(String name, String target) {
    return add(new TarArchiveEntry(name, TarConstants.LF_LINK), e -> e.setLinkName(target), null);
  }

  public TarBuilder fifo(String name) {
    return add(new TarArchiveEntry(name, TarConstants.LF_FIFO), e -> e.setMode(0600), null);
  }

  private TarBuilder add(TarArchiveEntry entry, Consumer<TarArchiveEntry> setup, byte[] content) {
    setup.accept(entry);
    entry.setModTime(FileTime.from(MTIME));
    entries.add(out -> {
      try {
        out.putArchiveEntry(entry);
        if (content != null) {
          out.write(content);
        }
        out.closeArchiveEntry();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    return this;
  }

  public byte[] tar() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      entries.forEach(e -> e.accept(out));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public byte[] tarGz() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(bytes)) {
      gz.write(tar());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
