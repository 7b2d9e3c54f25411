package dev.orch.store.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.util.MD5FileUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFilesTest {
  @TempDir Path dir;

  @Test
  void writesDataAndAMatchingChecksumAndLeavesNoTemporaryFile() throws IOException {
    File target = dir.resolve("snapshot.1_42").toFile();
    byte[] data = "some state".getBytes();

    MD5Hash md5 = SnapshotFiles.write(target, out -> out.write(data));

    assertArrayEquals(data, Files.readAllBytes(target.toPath()));
    assertEquals(md5, MD5FileUtil.readStoredMd5ForFile(target));
    MD5FileUtil.verifySavedMD5(target, md5);
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "the snapshot and its .md5, nothing else");
    }
  }

  @Test
  void aFailedWriteLeavesNothingUnderTheSnapshotName() throws IOException {
    File target = dir.resolve("snapshot.1_43").toFile();
    assertThrows(IOException.class, () -> SnapshotFiles.write(target, out -> {
      out.write(1);
      throw new IOException("disk full");
    }));
    assertFalse(target.exists());
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void leftoversOfAnInterruptedWriteAreRemoved() throws IOException {
    Path leftover = Files.writeString(dir.resolve("snapshot.1_44.orch-tmp"), "half");
    Path kept = Files.writeString(dir.resolve("snapshot.1_40"), "whole");
    SnapshotFiles.deleteLeftovers(dir.toFile());
    assertFalse(Files.exists(leftover));
    assertTrue(Files.exists(kept));
  }
}
