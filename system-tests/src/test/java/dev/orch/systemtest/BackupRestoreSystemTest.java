package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.manager.ClusterRestore;
import dev.orch.manager.DaemonOptions;
import dev.orch.manager.ManagerNode;
import dev.orch.manager.NodeIdentity;
import dev.orch.proto.ListServicesRequest;
import dev.orch.proto.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** orchctl swarm backup, then orchd restore into a new data dir: the same state, by hash and by content. */
class BackupRestoreSystemTest {
  @TempDir static Path tmp;

  @Test
  void aRestoredClusterHasTheBackedUpState() throws Exception {
    RootOnly.require("the backup and restore test");
    Path file = tmp.resolve("cluster.backup");
    String backedUpHash;
    List<String> names;
    try (SingleNode orch = new SingleNode(tmp.resolve("data"))) {
      assertEquals(0, orch.ctl("image", "import", RootOnly.busyboxImage(tmp).toString()).exit());
      for (String name : List.of("alpha", "beta")) {
        assertEquals(0, orch.ctl("service", "create", "-d", "--name", name, "--replicas", "0", "busybox").exit());
      }
      SingleNode.Ctl r = orch.ctl("swarm", "backup", file.toString());
      assertEquals(0, r.exit(), r.err());
      Matcher m = Pattern.compile("state (sha256:[0-9a-f]{64})").matcher(r.out());
      assertTrue(m.find(), r.out());
      backedUpHash = m.group(1);
      names = orch.control().listServices(ListServicesRequest.getDefaultInstance()).getServicesList().stream()
          .map(s -> s.getSpec().getName()).sorted().toList();
    }
    assertTrue(Files.size(file) > 0);
    Path restored = tmp.resolve("restored");
    String restoredHash = ClusterRestore.restore(restored, file, "127.0.0.1", SingleNode.freePort(), SingleNode.freePort());
    assertEquals(backedUpHash, restoredHash, "the restored store holds exactly the backed-up state");
    NodeIdentity id = NodeIdentity.load(restored);
    try (ManagerNode node = ManagerNode.start(id, new DaemonOptions(restored, null, Duration.ofMillis(500),
        Duration.ofSeconds(2), null, 7))) {
      await().atMost(Duration.ofSeconds(30)).until(node.store()::isLeader);
      List<String> after = node.store().read(v -> v.services().stream().map(Service::getSpec)
          .map(s -> s.getName()).sorted().toList());
      assertEquals(names, after);
    }
  }
}
