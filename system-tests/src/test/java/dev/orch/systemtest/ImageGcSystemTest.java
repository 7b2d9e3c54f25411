package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.agent.image.ImageGcPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node image GC on one real node whose thresholds are 0 % (always collecting, no minimum age):
 * the image a task uses is listed with the task and refused by image rm; once its service is
 * removed, the collection removes the image and every layer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageGcSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @TempDir static Path tmp;
  private SingleNode orch;

  @BeforeAll
  void start() throws Exception {
    RootOnly.require("the image GC system test");
    orch = new SingleNode(tmp.resolve("data"), new ImageGcPolicy(0, 0, Duration.ZERO, Duration.ofMillis(200)));
    assertEquals(0, orch.ctl("image", "import", RootOnly.busyboxImage(tmp).toString()).exit());
  }

  @AfterAll
  void stop() {
    if (orch != null) {
      orch.ctl("service", "rm", "held");
      orch.close();
    }
  }

  @Test
  void anImageInUseIsKeptAndRefusedAndGoesWithItsLayersOnceUnused() throws Exception {
    SingleNode.Ctl r = orch.ctl("service", "create", "-d", "--name", "held", "busybox", "sleep", "600");
    assertEquals(0, r.exit(), r.err());
    await().atMost(CONVERGE).until(() -> orch.running("held").size() == 1);
    String task = orch.running("held").get(0).getMeta().getId();

    SingleNode.Ctl ls = orch.ctl("image", "ls", "--nodes");
    assertEquals(0, ls.exit(), ls.err());
    assertTrue(ls.out().contains("busybox") && ls.out().contains(task), ls.out());

    SingleNode.Ctl rm = orch.ctl("image", "rm", "busybox");
    assertEquals(1, rm.exit(), rm.out());
    assertTrue(rm.err().startsWith("error: ") && rm.err().contains("is used by task " + task), rm.err());
    SingleNode.Ctl missing = orch.ctl("image", "rm", "nope:1");
    assertTrue(missing.exit() != 0 && missing.err().contains("no image nope:1 on any ready node"), missing.err());

    Path layers = orch.dataDir.resolve("worker/images/layers/sha256");
    try (var l = Files.list(layers)) {
      assertTrue(l.findAny().isPresent(), "the running task's layers are kept although the disk is over 0 %");
    }

    assertEquals(0, orch.ctl("service", "rm", "held").exit());
    await().atMost(CONVERGE).until(() -> !orch.ctl("image", "ls", "--nodes").out().contains("busybox"));
    await().atMost(CONVERGE).until(() -> {
      try (var l = Files.list(layers); var b = Files.list(orch.dataDir.resolve("worker/images/blobs/sha256"))) {
        return l.findAny().isEmpty() && b.findAny().isEmpty();
      }
    });
  }
}
