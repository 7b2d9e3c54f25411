package dev.orch.agent.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.agent.image.BusyboxImage;
import dev.orch.agent.image.ImageStore;
import dev.orch.agent.image.ImportedImage;
import dev.orch.agent.image.RootAssumption;
import dev.orch.agent.logs.LogEntry;
import dev.orch.agent.logs.LogFiles;
import dev.orch.agent.logs.LogReader;
import dev.orch.agent.runtime.Container.ExitStatus;
import dev.orch.agent.runtime.ContainerConfig.ResourceLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real containers of the busybox image: needs root, overlayfs and cgroups. */
class LinuxContainerRuntimeTest {

  private static final Duration QUICK = Duration.ofSeconds(10);
  /** Unique per test JVM, so parallel builds on one machine never share cgroups. */
  private static final String SCOPE = "orch-test/rt-" + ProcessHandle.current().pid();

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
  static void removeScopeAndImage() throws Exception {
    if (layers != null) {
      Cgroups.detect(SCOPE).removeScope();
    }
    // JUnit would warn about each of busybox's ~400 absolute applet symlinks; delete them quietly.
    LinuxContainerRuntime.deleteTree(shared.resolve("images"));
  }

  private Container start(String id, ResourceLimits limits, String... argv) throws ContainerException {
    started.add(id);
    return runtime.start(new ContainerConfig(id, "host-" + id, layers, List.of(argv),
        List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=hello"), "/", limits, log(id)));
  }

  private Container start(String id, String... argv) throws ContainerException {
    return start(id, new ResourceLimits(0, 0, 0), argv);
  }

  private Path log(String id) {
    return dir.resolve("logs").resolve(id + ".log");
  }

  private String logOf(String id) throws IOException {
    return LogFiles.text(log(id));
  }

  private static ExitStatus exitOf(Container c) throws Exception {
    return c.exited().get(QUICK.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void runsTheWorkloadInItsOwnNamespacesAndCgroups() throws Exception {
    Container c = start("ns", new ResourceLimits(64L << 20, 500_000_000L, 0), "sh", "-c",
        "echo hi $GREETING; echo pid=$$; hostname; tr '\\0' ' ' </proc/1/cmdline; echo; set -- /proc/[0-9]*; echo $#; sleep 1000");

    await().atMost(QUICK).until(() -> logOf("ns").lines().count() >= 5);
    List<String> lines = logOf("ns").lines().toList();
    assertEquals("hi hello", lines.get(0));
    assertEquals("pid=2", lines.get(1), "the workload is the child of the container's init (PID 1)");
    assertEquals("host-ns", lines.get(2));
    assertTrue(lines.get(3).contains("orch-shim"), "PID 1 is the shim's init: " + lines.get(3));
    assertEquals("2", lines.get(4), "only the init and sh are visible in /proc");

    assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")),
        Files.readSymbolicLink(Path.of("/proc", Integer.toString(c.pid()), "ns/pid")));
    assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")),
        Files.readSymbolicLink(Path.of("/proc", Integer.toString(c.pid()), "ns/net")));
    Cgroups cgroups = runtime.cgroups();
    assertEquals(Long.toString(64L << 20), Files.readString(cgroups.memoryLimitFile("ns")).trim());
    assertTrue(cgroups.pids("ns").contains((long) c.pid()));
    assertTrue(Files.readString(Path.of("/proc", Integer.toString(c.pid()), "cgroup")).contains(SCOPE + "/ns"));
    ResourceUsage usage = runtime.usage("ns");
    assertTrue(usage.pids() >= 2, "init and the workload: " + usage);
    assertTrue(usage.memoryBytes() > 0 && usage.cpuNanos() > 0, usage.toString());
    assertFalse(c.exited().isDone());
  }

  @Test
  void writesGoToTheContainersUpperLayerOnly() throws Exception {
    Container c = start("rw", "sh", "-c", "echo data >/etc/written && cat /etc/written");
    assertEquals(0, exitOf(c).exitCode());
    assertEquals("data\n", logOf("rw"));
    assertTrue(Files.exists(runtime.stateDir("rw").resolve("upper/etc/written")));
    for (Path layer : layers) {
      assertFalse(Files.exists(layer.resolve("etc/written")));
    }
  }

  @Test
  void theShimWritesEachLineAsATimedRecordOfItsStreamAndDrainsThePipesBeforeTheExit() throws Exception {
    long before = nowNanos();
    // seq writes more than a pipe holds right before the exit; the background sleep keeps the
    // pipes open until the container's end kills it.
    Container c = start("relay", "sh", "-c", "echo out-1; echo err-1 >&2; head -c 40000 /dev/zero | tr '\\0' x; echo;"
        + " seq 1 20000; sleep 1000 & printf tail-without-newline");
    assertEquals(0, exitOf(c).exitCode(), logOf("relay"));
    long after = nowNanos();

    List<String> records = Files.readAllLines(log("relay"));
    java.util.regex.Pattern shape = java.util.regex.Pattern.compile(
        "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z (stdout|stderr) [FP] .*");
    records.forEach(r -> assertTrue(shape.matcher(r).matches(), r));
    assertTrue(records.stream().anyMatch(r -> r.endsWith(" stderr F err-1")), "stderr is its own stream");
    assertEquals(List.of(16384, 16384, 7232), records.stream().filter(r -> r.contains(" xxx"))
        .map(r -> r.substring(r.indexOf(" stdout ") + 10).length()).toList(), "a 40000-byte line in 16 KiB parts");
    assertTrue(records.get(records.size() - 1).endsWith(" stdout P tail-without-newline"), "the end without a newline");

    List<LogEntry> lines = new LogReader(log("relay")).tail(-1);
    assertEquals(20004, lines.size(), "nothing lost at the exit");
    assertEquals(new LogEntry(lines.get(0).timeNanos(), "stdout", "out-1"), lines.get(0));
    assertEquals("x".repeat(40000), lines.stream().filter(l -> l.line().startsWith("x")).findFirst().orElseThrow().line());
    assertEquals("20000", lines.get(lines.size() - 2).line());
    assertEquals("tail-without-newline", lines.get(lines.size() - 1).line());
    long previous = before;
    for (LogEntry l : lines.stream().filter(l -> l.stream().equals("stdout")).toList()) {
      assertTrue(l.timeNanos() >= previous && l.timeNanos() <= after, "times within the run, in order: " + l);
      previous = l.timeNanos();
    }
  }

  private static long nowNanos() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Test
  void reportsExitCodes() throws Exception {
    ExitStatus failed = exitOf(start("code7", "sh", "-c", "exit 7"));
    assertEquals(new ExitStatus(7, 0, "workload exited with code 7"), failed);
    assertTrue(exitOf(start("ok", "true")).success());
  }

  @Test
  void sigkillOfTheWorkloadIsReportedAsSignal9() throws Exception {
    Container c = start("kill9", "sleep", "1000");
    long workload = await().atMost(QUICK).until(() -> workloadPid(c), Optional::isPresent).get();

    ProcessHandle.of(workload).orElseThrow().destroyForcibly();

    ExitStatus status = exitOf(c);
    assertEquals(9, status.signal());
    assertEquals(137, status.exitCode());
    assertFalse(status.success());
  }

  @Test
  void stopSendsSigtermWhichTheInitForwards() throws Exception {
    Container c = start("term", "sleep", "1000");
    await().atMost(QUICK).until(() -> workloadPid(c), Optional::isPresent);

    c.stop(Duration.ofSeconds(30));

    ExitStatus status = exitOf(c);
    assertEquals(15, status.signal(), status.toString());
  }

  @Test
  void stopEscalatesToSigkillAfterTheGracePeriod() throws Exception {
    Container c = start("stubborn", "sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done");
    await().atMost(QUICK).until(() -> logOf("stubborn").contains("ready"));
    long before = System.nanoTime();

    c.stop(Duration.ofMillis(300));

    ExitStatus status = exitOf(c);
    assertTrue(System.nanoTime() - before >= Duration.ofMillis(300).toNanos(), "SIGKILL waited for the grace period");
    assertEquals(9, status.signal(), status.toString());
    assertTrue(status.message().contains("container killed"), status.message());
  }

  @Test
  void writableLayerIsVolatileWhereTheKernelSupportsIt() throws Exception {
    Container c = start("volatile", "sleep", "1000");
    // The container's root, as its own mount namespace shows it: "/" is the overlay.
    String root = Files.readAllLines(Path.of("/proc/" + c.pid() + "/mountinfo")).stream()
        .filter(l -> l.split(" ")[4].equals("/")).findFirst().orElseThrow();
    String[] release = System.getProperty("os.version").split("[.-]");
    boolean supported = Integer.parseInt(release[0]) > 5
        || Integer.parseInt(release[0]) == 5 && Integer.parseInt(release[1]) >= 10;
    assertTrue(root.contains(" - overlay "), root);
    assertEquals(supported, root.contains("volatile"), root);
  }

  @Test
  void removeLeavesNoProcessCgroupMountOrState() throws Exception {
    Container c = start("gone", "sleep", "1000");
    long init = c.pid();
    long shim = ProcessHandle.of(init).orElseThrow().parent().orElseThrow().pid();
    Path state = runtime.stateDir("gone");
    assertTrue(Files.isDirectory(state));

    runtime.remove("gone");

    assertTrue(c.exited().isDone());
    assertFalse(ProcessHandle.of(init).map(ProcessHandle::isAlive).orElse(false));
    assertFalse(ProcessHandle.of(shim).map(ProcessHandle::isAlive).orElse(false));
    assertFalse(runtime.cgroups().exists("gone"));
    assertFalse(Files.exists(state));
    assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(state.toString()));
    runtime.remove("gone"); // idempotent
    started.remove("gone");
  }

  @Test
  void aFailedStartSaysWhyAndLeavesNothingBehind() {
    ContainerException e = assertThrows(ContainerException.class, () -> start("bad", "no-such-command"));
    assertTrue(e.getMessage().contains("exec no-such-command: No such file or directory"), e.getMessage());
    assertFalse(Files.exists(runtime.stateDir("bad")));
    assertFalse(runtime.cgroups().exists("bad"));
    started.remove("bad");
  }

  @Test
  void aRestartedAgentRecoversRunningContainers() throws Exception {
    Container c = start("survivor", "sleep", "1000");
    start("finished", "true").exited().get(QUICK.toSeconds(), TimeUnit.SECONDS);
    runtime.close();
    runtime = new LinuxContainerRuntime(dir.resolve("state"), SCOPE);

    List<Container> recovered = runtime.recover();

    Container again = recovered.stream().filter(x -> x.id().equals("survivor")).findFirst().orElseThrow();
    assertEquals(c.pid(), again.pid());
    assertFalse(again.exited().isDone());
    Container done = recovered.stream().filter(x -> x.id().equals("finished")).findFirst().orElseThrow();
    assertEquals(0, done.exited().getNow(null).exitCode());

    again.stop(Duration.ZERO);
    assertEquals(9, exitOf(again).signal());
  }

  @Test
  void containersOutliveTheDeathOfTheAgentJvm() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "-cp", System.getProperty("java.class.path"), OrphanedContainerMain.class.getName(),
        dir.resolve("state").toString(), SCOPE, log("orphan").toString()));
    layers.forEach(l -> cmd.add(l.toString()));
    Process agent = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    started.add("orphan");
    String line = new java.io.BufferedReader(new java.io.InputStreamReader(agent.getInputStream())).readLine();
    assertTrue(line != null && line.startsWith("started "), "child agent said: " + line);
    long init = Long.parseLong(line.substring(8).trim());

    agent.destroyForcibly();
    agent.onExit().get(QUICK.toSeconds(), TimeUnit.SECONDS);

    assertTrue(ProcessHandle.of(init).map(ProcessHandle::isAlive).orElse(false), "container survived its agent");
    Container again = runtime.recover().stream().filter(x -> x.id().equals("orphan")).findFirst().orElseThrow();
    assertEquals(init, again.pid());
    again.stop(Duration.ofSeconds(30));
    assertEquals(15, exitOf(again).signal());
  }

  @Test
  void bindMountsHostPathsReadOnlyOrWritable() throws Exception {
    Path volume = Files.createDirectories(dir.resolve("volume"));
    Files.writeString(volume.resolve("f"), "from the host\n");
    Path resolv = Files.writeString(dir.resolve("resolv.conf"), "nameserver 127.0.0.11\n");
    started.add("mounts");
    Container c = runtime.start(new ContainerConfig("mounts", "mounts", layers,
        List.of("sh", "-c", "cat /data/f /etc/resolv.conf; touch /data/x || echo read-only; echo w >/rw/y"),
        List.of("PATH=/bin"), "/", new ResourceLimits(0, 0, 0), log("mounts"), null,
        List.of(new ContainerConfig.BindMount(volume, "/data", true),
            new ContainerConfig.BindMount(resolv, "/etc/resolv.conf", true),
            new ContainerConfig.BindMount(Files.createDirectories(dir.resolve("rw")), "/rw", false)), ""));

    assertEquals(0, exitOf(c).exitCode(), logOf("mounts"));
    assertTrue(logOf("mounts").startsWith("from the host\nnameserver 127.0.0.11\n"), logOf("mounts"));
    assertTrue(logOf("mounts").contains("read-only"), logOf("mounts"));
    assertFalse(Files.exists(volume.resolve("x")));
    assertEquals("w\n", Files.readString(dir.resolve("rw/y")));
  }

  @Test
  void joinsAPreparedNetworkNamespace() throws Exception {
    String ns = "orch-rt-test-" + ProcessHandle.current().pid();
    run("ip", "netns", "add", ns);
    try {
      run("ip", "-n", ns, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1");
      started.add("net");
      Container c = runtime.start(new ContainerConfig("net", "net", layers, List.of("ip", "-o", "link"),
          List.of("PATH=/sbin:/bin"), "/", new ResourceLimits(0, 0, 0), log("net"), Path.of("/run/netns", ns),
          List.of(), ""));
      assertEquals(0, exitOf(c).exitCode(), logOf("net"));
      assertTrue(logOf("net").contains("probe0"), logOf("net"));
      assertTrue(logOf("net").contains("lo: <LOOPBACK,UP"), logOf("net"));
    } finally {
      run("ip", "netns", "del", ns);
    }
  }

  @Test
  void refusesAnImageWhoseProcIsASymlink() throws Exception {
    Path target = Files.createDirectories(dir.resolve("host-target"));
    String digest = images.blobs().put(new java.io.ByteArrayInputStream(
        new dev.orch.agent.image.TarBuilder().symlink("proc", target.toString()).tar()), null);
    List<Path> evil = new ArrayList<>(layers);
    evil.add(images.layers().unpack(digest));
    ContainerException e = assertThrows(ContainerException.class, () -> runtime.start(new ContainerConfig(
        "evil", "evil", evil, List.of("true"), List.of(), "/", new ResourceLimits(0, 0, 0), log("evil"))));
    assertTrue(e.getMessage().contains("refusing image whose /proc is a symlink"), e.getMessage());
    try (var s = Files.list(target)) {
      assertEquals(0, s.count(), "nothing was mounted on the host directory");
    }
  }

  @Test
  void execRunsACommandInsideTheRunningContainer() throws Exception {
    Container c = start("exec", "sleep", "1000");

    ExecResult r = runtime.exec("exec", List.of("sh", "-c", "echo $$ $X; hostname; pwd; grep -c . /proc/self/cgroup >/dev/null"
        + " && grep memory /proc/self/cgroup; exit 3"), List.of("PATH=/bin", "X=y"), "/tmp", QUICK);

    assertEquals(3, r.exitCode(), r.output());
    assertFalse(r.timedOut());
    List<String> lines = r.output().lines().toList();
    assertEquals("3 y", lines.get(0), "pid 1 is the init, 2 the workload, 3 the exec'd shell");
    assertEquals("host-exec", lines.get(1));
    assertEquals("/tmp", lines.get(2));
    if (runtime.cgroups().version().equals("v1")) {
      assertTrue(lines.get(3).endsWith(SCOPE + "/exec"), r.output());
    }
    assertEquals(127, runtime.exec("exec", List.of("no-such-probe"), List.of("PATH=/bin"), "/", QUICK).exitCode());

    ExecResult slow = runtime.exec("exec", List.of("sleep", "1000"), List.of("PATH=/bin"), "/", Duration.ofMillis(200));
    assertTrue(slow.timedOut());
    await().atMost(QUICK).until(() -> runtime.cgroups().pids("exec").size() == 2);

    c.stop(Duration.ZERO);
    exitOf(c);
    assertThrows(ContainerException.class, () -> runtime.exec("exec", List.of("true"), List.of(), "/", QUICK));
  }

  @Test
  void runsTheWorkloadAndExecsAsTheImagesUser() throws Exception {
    started.add("nobody");
    Container c = runtime.start(new ContainerConfig("nobody", "nobody", layers,
        List.of("sh", "-c", "id; echo HOME=$HOME; grep CapEff /proc/self/status; sleep 1000"), List.of("PATH=/bin"),
        "/", new ResourceLimits(0, 0, 0), log("nobody"), null, List.of(), "nobody"));
    await().atMost(QUICK).until(() -> logOf("nobody").lines().count() >= 3);
    List<String> lines = logOf("nobody").lines().toList();
    assertEquals("uid=65534(nobody) gid=65534(nobody) groups=65534(nobody)", lines.get(0));
    assertEquals("HOME=/nonexistent", lines.get(1));
    assertEquals("CapEff:\t0000000000000000", lines.get(2), "a non-root user has no capabilities");
    assertEquals("uid=65534(nobody) gid=65534(nobody) groups=65534(nobody)\n",
        runtime.exec("nobody", List.of("id"), List.of("PATH=/usr/bin:/bin"), "/", QUICK).output());
    c.stop(Duration.ZERO);

    ContainerException e = assertThrows(ContainerException.class, () -> runtime.start(new ContainerConfig(
        "ghost", "ghost", layers, List.of("true"), List.of("PATH=/bin"), "/", new ResourceLimits(0, 0, 0),
        log("ghost"), null, List.of(), "ghost")));
    assertTrue(e.getMessage().contains("user ghost is not in the image's /etc/passwd"), e.getMessage());
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
  }

  /** The workload is the only process in the container's cgroup besides its init. */
  private Optional<Long> workloadPid(Container c) throws IOException {
    return runtime.cgroups().pids(c.id()).stream().filter(p -> p != c.pid()).findFirst();
  }
}
