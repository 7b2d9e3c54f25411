package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.ctl.OrchCtl;
import dev.orch.proto.StatsRequest;
import dev.orch.proto.Task;
import dev.orch.proto.TaskStats;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * orchctl exec and stats on a real node: orchctl → Control API → the leader's request channel to
 * the node's agent → orch-shim exec in the task's namespaces (or its cgroups), and back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecStatsSystemTest {
  @TempDir static Path tmp;
  private SingleNode orch;
  private Task task;

  @BeforeAll
  void startNode() throws Exception {
    RootOnly.require("the exec and stats system test");
    orch = new SingleNode(tmp.resolve("data"));
    assertEquals(0, orch.ctl("image", "import", RootOnly.busyboxImage(tmp).toString()).exit());
    SingleNode.Ctl r = orch.ctl("service", "create", "-d", "--name", "probe", "--limit-memory", "64M",
        "busybox", "sleep", "100000");
    assertEquals(0, r.exit(), r.err());
    await().atMost(Duration.ofSeconds(30)).until(() -> orch.running("probe").size() == 1);
    task = orch.running("probe").get(0);
  }

  @AfterAll
  void stopNode() {
    if (orch != null) {
      orch.ctl("service", "rm", "probe");
      orch.close();
    }
  }

  @Test
  void execRunsInTheTasksContainerAndReturnsItsExitCode() throws Exception {
    String prefix = task.getMeta().getId().substring(0, 10);
    SingleNode.Ctl r = orch.ctl("exec", prefix, "--", "sh", "-c", "hostname; echo out; echo err >&2; exit 3");
    assertEquals(3, r.exit(), r.err() + r.out());
    assertEquals(Kernel.hostnameOf(task.getStatus().getPid()) + "\nout\nerr\n", r.out());
    // The command is hardened like the workload: no new privileges, the container's pid namespace.
    SingleNode.Ctl status = orch.ctl("exec", prefix, "sh", "-c", "grep NoNewPrivs /proc/self/status; cat /proc/1/comm");
    assertEquals(0, status.exit(), status.err());
    assertTrue(status.out().matches("(?s)NoNewPrivs:\\s+1\\n.*"), status.out());
  }

  @Test
  void execForwardsStdinWithDashI() {
    SingleNode.Ctl r = ctlWithStdin("line one\nline two\n", "exec", "-i", task.getMeta().getId(), "--", "wc", "-l");
    assertEquals(0, r.exit(), r.err() + r.out());
    assertEquals("2", r.out().strip());
  }

  private SingleNode.Ctl ctlWithStdin(String stdin, String... args) {
    Map<String, String> env = Map.of("ORCH_HOST", orch.identity.controlAddress(),
        "ORCH_CONFIG_DIR", orch.configDir.toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = OrchCtl.run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        env, args);
    return new SingleNode.Ctl(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void execWithDashTRunsOnAPseudoTerminalOfTheContainer() {
    String id = task.getMeta().getId();
    SingleNode.Ctl tty = orch.ctl("exec", "-t", id, "--", "sh", "-c", "tty; test -t 0 && echo stdin-is-a-tty; stty size");
    assertEquals(0, tty.exit(), tty.err() + tty.out());
    // The terminal turns \n into \r\n, as docker exec -t shows; no local terminal: 24x80.
    assertTrue(tty.out().matches("/dev/pts/\\d+\r\nstdin-is-a-tty\r\n24 80\r\n"), tty.out());
    SingleNode.Ctl pipes = orch.ctl("exec", id, "--", "sh", "-c", "tty; test -t 0");
    assertEquals(1, pipes.exit(), pipes.out());
    assertEquals("not a tty\n", pipes.out());
    // It is the command's controlling terminal, owned by the user it runs as.
    SingleNode.Ctl owner = orch.ctl("exec", "-t", "-u", "nobody", id, "--", "sh", "-c",
        "stat -c %U $(tty); cat /proc/self/stat | cut -d' ' -f7");
    assertEquals(0, owner.exit(), owner.err() + owner.out());
    assertTrue(owner.out().startsWith("nobody\r\n") && !owner.out().endsWith("\n0\r\n"), owner.out());
  }

  @Test
  void execWithDashItTypesStdinIntoTheTerminalAndReturnsTheExitCode() {
    SingleNode.Ctl r = ctlWithStdin("echo typed-$((6*7))\nexit 5\n", "exec", "-it", task.getMeta().getId(), "--", "sh");
    assertEquals(5, r.exit(), r.err() + r.out());
    assertTrue(r.out().contains("typed-42\r\n"), r.out());
  }

  @Test
  void execRefusesBadRequestsWithOneErrorLine() {
    SingleNode.Ctl unknown = orch.ctl("exec", "nosuchtask", "true");
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().contains("task \"nosuchtask\" not found"), unknown.err());
    SingleNode.Ctl missing = orch.ctl("exec", task.getMeta().getId(), "--", "no-such-command");
    assertEquals(127, missing.exit(), missing.err());
  }

  @Test
  void hardeningOptionsReachTheContainer() {
    SingleNode.Ctl bad = orch.ctl("service", "create", "-d", "--name", "badcap", "--cap-add", "FLY", "busybox", "true");
    assertEquals(1, bad.exit());
    assertTrue(bad.err().startsWith("error: unknown capability \"FLY\" in --cap-add"), bad.err());
    assertTrue(orch.ctl("service", "ls").out().lines().noneMatch(l -> l.contains("badcap")), "nothing created");
    SingleNode.Ctl badSignal = orch.ctl("service", "create", "-d", "--stop-signal", "SIGNOPE", "busybox", "true");
    assertEquals(1, badSignal.exit());
    assertTrue(badSignal.err().startsWith("error: invalid --stop-signal \"SIGNOPE\""), badSignal.err());

    SingleNode.Ctl r = orch.ctl("service", "create", "-d", "--name", "hard", "--cap-drop", "ALL", "--cap-add", "CHOWN",
        "--read-only", "--user", "nobody", "busybox", "sleep", "100000");
    assertEquals(0, r.exit(), r.err());
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> orch.running("hard").size() == 1);
      String id = orch.running("hard").get(0).getMeta().getId();
      SingleNode.Ctl probe = orch.ctl("exec", id, "sh", "-c",
          "grep CapBnd /proc/1/status; id -un; touch /x 2>&1 | grep -o Read-only");
      assertEquals(0, probe.exit(), probe.err());
      assertEquals("CapBnd:\t0000000000000001\nnobody\nRead-only\n", probe.out());
    } finally {
      orch.ctl("service", "rm", "hard");
    }
  }

  @Test
  void statsReportWhatTheTasksCgroupSays() throws Exception {
    TaskStats s = orch.control().stats(StatsRequest.newBuilder().setService("probe").build()).getStats(0);
    int pid = task.getStatus().getPid();
    assertEquals("", s.getError());
    assertEquals(task.getMeta().getId(), s.getTaskId());
    assertEquals("probe.1", s.getTaskName());
    assertEquals(64L << 20, s.getMemoryLimitBytes());
    assertEquals(Kernel.pidsCurrent(pid), s.getPids(), "init and sleep");
    assertTrue(s.getMemoryBytes() > 0 && s.getMemoryBytes() <= Kernel.memoryLimit(pid), "memory " + s.getMemoryBytes());
    assertTrue(s.getCpuNanos() > 0, "cpu " + s.getCpuNanos());

    SingleNode.Ctl table = orch.ctl("stats", "--no-stream", "probe");
    assertEquals(0, table.exit(), table.err());
    String[] lines = table.out().split("\n");
    assertEquals(2, lines.length, table.out());
    assertTrue(lines[0].startsWith("TASK ID") && lines[0].contains("CPU %") && lines[0].contains("PIDS"), lines[0]);
    assertTrue(lines[1].matches(".*probe\\.1 .*\\d+\\.\\d\\d% .* / 67\\.1MB .*%\\s+" + Kernel.pidsCurrent(pid)),
        lines[1]);
    SingleNode.Ctl none = orch.ctl("stats", "--no-stream", "nosuch");
    assertEquals(1, none.exit());
    assertTrue(none.err().startsWith("error: no service or task \"nosuch\""), none.err());
  }
}
