package dev.orch.agent.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.agent.image.BusyboxImage;
import dev.orch.agent.image.ImageStore;
import dev.orch.agent.image.ImportedImage;
import dev.orch.agent.image.RootAssumption;
import dev.orch.agent.logs.LogFiles;
import dev.orch.agent.runtime.ContainerConfig.Hardening;
import dev.orch.agent.runtime.ContainerConfig.ResourceLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardening of real containers, proven from inside them: each test runs a busybox script that
 * probes one boundary and reports what it saw. Needs root, overlayfs and cgroups.
 */
class ContainerHardeningTest {
  private static final Duration QUICK = Duration.ofSeconds(20);
  private static final String SCOPE = "orch-test/hard-" + ProcessHandle.current().pid();
  private static final List<String> ENV = List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin");

  @TempDir static Path shared;
  private static ImageStore images;
  private static List<Path> layers;

  @TempDir Path dir;
  private LinuxContainerRuntime runtime;
  private final List<String> started = new ArrayList<>();

  @BeforeAll
  static void buildImage() throws Exception {
    RootAssumption.assumeRoot();
    Path archive = shared.resolve("busybox.tar");
    BusyboxImage.build(archive, "busybox:latest");
    images = new ImageStore(shared.resolve("images"));
    ImportedImage image = images.importArchive(archive).get(0);
    layers = images.layerDirs(image.toProto(), null);
  }

  @BeforeEach
  void setUp() throws Exception {
    runtime = new LinuxContainerRuntime(dir.resolve("state"), SCOPE);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (String id : started) {
      runtime.remove(id);
    }
    runtime.close();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (layers != null) {
      Cgroups.detect(SCOPE).removeScope();
      LinuxContainerRuntime.deleteTree(shared.resolve("images"));
    }
  }

  private Container start(String id, String workdir, Hardening hardening, String script) throws ContainerException {
    started.add(id);
    return runtime.start(new ContainerConfig(id, id, layers, List.of("sh", "-c", script), ENV, workdir,
        new ResourceLimits(0, 0, 0), dir.resolve(id + ".log"), null, List.of(), "", hardening));
  }

  /** Runs the script to its end and returns its output lines. */
  private List<String> run(String id, Hardening hardening, String script) throws Exception {
    Container c = start(id, "/", hardening, script);
    Container.ExitStatus exit = c.exited().get(QUICK.toSeconds(), TimeUnit.SECONDS);
    String out = LogFiles.text(dir.resolve(id + ".log"));
    assertEquals(0, exit.exitCode(), exit.message() + "\n" + out);
    return out.lines().toList();
  }

  private static String capBnd(long mask) {
    return String.format("CapBnd:\t%016x", mask);
  }

  @Test
  void defaultsBoundCapabilitiesAndSetNoNewPrivsAndSeccomp() throws Exception {
    List<String> out = run("defaults", Hardening.DEFAULT,
        "grep -E '^(CapBnd|CapEff|NoNewPrivs|Seccomp):' /proc/self/status; sleep 9 & ls /proc/$!/fd | tr '\\n' ' ';"
            + " kill $!; echo;"
            + " echo 1 2>/dev/null > /proc/sys/kernel/panic && echo proc-sys-writable;"
            + " touch /sys/kernel/x 2>/dev/null && echo sys-writable;"
            + " mknod /tmp/sda b 8 0 2>/dev/null && echo mknod-worked;"
            + " unshare -U true 2>&1 | grep -q 'not permitted' && echo unshare-refused;"
            + " wc -c < /proc/timer_list;"
            + " true");
    long expected = Capabilities.boundingSet(List.of(), List.of());
    assertEquals(0xa00425fbL, expected, "Docker's default set without MKNOD");
    assertEquals(String.format("CapEff:\t%016x", expected), out.get(0));
    assertEquals(capBnd(expected), out.get(1));
    assertEquals("NoNewPrivs:\t1", out.get(2));
    assertEquals("Seccomp:\t2", out.get(3), "a seccomp filter");
    assertEquals("0 1 2 ", out.get(4), "no fd above 2 reaches the workload");
    assertEquals(List.of("unshare-refused", "0"), out.subList(5, out.size()),
        "/proc/sys and /sys read-only, no mknod, no user namespaces, /proc/timer_list masked");
  }

  @Test
  void pidsAreLimitedByDefault() throws Exception {
    start("pids", "/", Hardening.DEFAULT, "sleep 1000");
    Path procs = runtime.cgroups().procsFiles("pids").stream()
        .filter(p -> Files.exists(p.resolveSibling("pids.max"))).findFirst().orElseThrow();
    assertEquals(Long.toString(Cgroups.DEFAULT_PIDS_MAX), Files.readString(procs.resolveSibling("pids.max")).strip());
  }

  @Test
  void theDeviceCgroupRefusesHostDevicesEvenWithMknod() throws Exception {
    if (!runtime.cgroups().version().equals("v1")) {
      String msg = "SKIPPED: the device allow-list is written on cgroup v1 only (v2 needs an eBPF program)";
      System.err.println("\n*** " + msg + " ***\n");
      org.junit.jupiter.api.Assumptions.assumeTrue(false, msg);
    }
    long withMknod = Capabilities.boundingSet(List.of("MKNOD"), List.of());
    List<String> out = run("devices", new Hardening(withMknod, false),
        "mknod /tmp/mem c 1 1 && echo made; head -c 1 /tmp/mem 2>&1 | grep -o 'not permitted'; head -c 1 /dev/zero | wc -c");
    assertEquals(List.of("made", "not permitted", "1"), out);
  }

  @Test
  void capAddAndDropChangeTheSet() throws Exception {
    long mask = Capabilities.boundingSet(List.of("CAP_NET_ADMIN", "chown"), List.of("ALL"));
    assertEquals((1L << 12) | 1L, mask);
    List<String> out = run("caps", new Hardening(mask, false), "grep ^CapBnd: /proc/self/status");
    assertEquals(List.of(capBnd(mask)), out);
  }

  @Test
  void seccompRefusesWhatCapabilitiesWouldAllow() throws Exception {
    // With every capability, swapoff of a missing file would fail with ENOENT; the filter says EPERM.
    long all = Capabilities.boundingSet(List.of("ALL"), List.of());
    List<String> out = run("seccomp", new Hardening(all, false),
        "swapoff /nonexistent 2>&1 | grep -o 'not permitted'; mkdir /m; mount -t tmpfs t /m && echo mounted");
    assertEquals(List.of("not permitted", "mounted"), out, "SYS_ADMIN lifts the mount refusal, as in Docker");
  }

  @Test
  void readOnlyRootKeepsDevShmWritable() throws Exception {
    List<String> out = run("ro", new Hardening(Capabilities.boundingSet(List.of(), List.of()), true),
        "touch /x 2>&1 | grep -o 'Read-only file system'; touch /dev/shm/x && echo shm-ok");
    assertEquals(List.of("Read-only file system", "shm-ok"), out);
  }

  @Test
  void theShimInsideIsASealedCopy() throws Exception {
    List<String> out = run("sealed", Hardening.DEFAULT,
        "readlink /proc/1/exe; echo x 2>/dev/null >> /proc/1/exe && echo wrote-shim; true");
    assertEquals(List.of("/memfd:orch-shim (deleted)"), out);
  }

  @Test
  void aWorkdirOutsideTheRootIsRefused() {
    ContainerException e = assertThrows(ContainerException.class,
        () -> start("cwd", "/proc/self/fd/5", Hardening.DEFAULT, "true"));
    assertTrue(e.getMessage().contains("workdir /proc/self/fd/5"), e.getMessage());
  }

  @Test
  void execGetsTheContainersHardening() throws Exception {
    long mask = Capabilities.boundingSet(List.of(), List.of("NET_RAW"));
    start("exec", "/", new Hardening(mask, false), "sleep 1000");
    ExecResult r = runtime.exec("exec", List.of("sh", "-c", "grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status;"
        // the fds once the child runs sleep: before its exec, the shell is still redirecting them
        + " sleep 9 & p=$!; until [ \"$(cat /proc/$p/comm)\" = sleep ]; do :; done;"
        + " ls /proc/$p/fd | tr '\\n' ' '; kill $p"), ENV, "/", QUICK);
    assertEquals(capBnd(mask) + "\nNoNewPrivs:\t1\nSeccomp:\t2\n0 1 2 ", r.output());
  }

  @Test
  void theStopSignalReachesTheWorkload() throws Exception {
    // SIGQUIT in particular: the JVM blocks it in its threads, and a shim must not pass that on.
    Container c = start("stopsig", "/", Hardening.DEFAULT,
        "trap 'echo got QUIT; exit 0' QUIT; echo ready; while true; do sleep 1; done");
    await().atMost(QUICK).until(() -> LogFiles.text(dir.resolve("stopsig.log")).contains("ready"));
    c.stop(Signals.number("SIGQUIT"), Duration.ofSeconds(30));
    Container.ExitStatus exit = c.exited().get(QUICK.toSeconds(), TimeUnit.SECONDS);
    assertEquals(0, exit.exitCode(), exit.message());
    assertTrue(LogFiles.text(dir.resolve("stopsig.log")).contains("got QUIT"));
  }
}
