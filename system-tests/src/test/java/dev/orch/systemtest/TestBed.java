package dev.orch.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Drives {@code deploy/testbed/testbed}: nodes are network namespaces on a private underlay, each
 * running a real orchd process; orchctl runs inside the first node's namespace.
 */
final class TestBed implements AutoCloseable {
  final String name;
  private final Path repo = RootOnly.repoRoot();
  private final Path root;

  /** orchd runs from a copy of the jars, so that a rebuild while the test runs cannot change it. */
  private final String orchdClasspath;
  private final String ctlClasspath;

  TestBed(String name, int nodes) throws IOException {
    this.name = name;
    this.root = Path.of(System.getenv().getOrDefault("TESTBED_ROOT", "/var/lib/orch-testbed"), name);
    run("down");
    run("up", Integer.toString(nodes));
    String snapshot = exec(List.of(repo.resolve("deploy/bin/snapshot-classpath.sh").toString(),
        root.resolve("jars").toString()), true);
    orchdClasspath = snapshot.lines().filter(l -> l.startsWith("ORCHD_CLASSPATH="))
        .map(l -> l.substring("ORCHD_CLASSPATH=".length())).findFirst()
        .orElseThrow(() -> new IOException("snapshot-classpath.sh printed no ORCHD_CLASSPATH"));
    ctlClasspath = snapshot.lines().filter(l -> l.startsWith("CTL_CLASSPATH="))
        .map(l -> l.substring("CTL_CLASSPATH=".length())).findFirst()
        .orElseThrow(() -> new IOException("snapshot-classpath.sh printed no CTL_CLASSPATH"));
  }

  /** The orchctl command line, run from the copied jars. */
  private List<String> orchctl() {
    return List.of("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-cp", ctlClasspath,
        "dev.orch.ctl.OrchCtl");
  }

  /** Runs a testbed subcommand and returns its stdout; fails on a non-zero exit. */
  String run(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(repo.resolve("deploy/testbed/testbed").toString(), "--name", name));
    cmd.addAll(List.of(args));
    return exec(cmd, true);
  }

  /** Runs a testbed subcommand; returns stdout+stderr and the exit code without failing. */
  Result tryRun(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(repo.resolve("deploy/testbed/testbed").toString(), "--name", name));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      return new Result(p.waitFor(), out, err);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  record Result(int exit, String out, String err) {}

  Path nodeDir(int i) {
    return root.resolve("n" + i);
  }

  String addr(int i) {
    return "10.250.0." + (10 + i);
  }

  /** orchctl in node 1's namespace with the admin bundle orchd init wrote there. */
  Result ctl(String... args) throws IOException {
    List<String> a = new ArrayList<>(List.of("exec", "1", "env", "ORCH_CONFIG_DIR=" + nodeDir(1).resolve("client")));
    a.addAll(orchctl());
    a.addAll(List.of(args));
    return tryRun(a.toArray(String[]::new));
  }

  /** orchctl in node i's namespace, talking to node i's manager with the admin bundle of node 1. */
  Result ctlOn(int i, String... args) throws IOException {
    List<String> a = new ArrayList<>(List.of("exec", Integer.toString(i), "env",
        "ORCH_CONFIG_DIR=" + nodeDir(1).resolve("client")));
    a.addAll(orchctl());
    a.addAll(List.of("--host", addr(i) + ":4242"));
    a.addAll(List.of(args));
    return tryRun(a.toArray(String[]::new));
  }

  String ctlOk(String... args) throws IOException {
    Result r = ctl(args);
    if (r.exit() != 0) {
      throw new IOException("orchctl " + String.join(" ", args) + " failed (" + r.exit() + "): " + r.err());
    }
    return r.out();
  }

  /** Starts orchd in node i's namespace. */
  void orchd(int i, String... args) throws IOException {
    List<String> a = new ArrayList<>(List.of("start", Integer.toString(i), "env",
        "ORCH_CONFIG_DIR=" + nodeDir(i).resolve("client"), "ORCHD_CLASSPATH=" + orchdClasspath,
        repo.resolve("deploy/bin/orchd").toString()));
    a.addAll(List.of(args));
    run(a.toArray(String[]::new));
  }

  /** Kills node i's orchd and every container it started, as a machine crash would. */
  void crash(int i) throws IOException {
    String data = nodeDir(i).resolve("data").toString();
    List<String> victims = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
          if (cmdline.contains(data)) {
            victims.add(p.getFileName().toString());
          }
        } catch (IOException gone) {
          // the process ended while we looked
        }
      }
    }
    for (Path procs : cgroupProcFiles()) {
      if (procs.toString().contains(nodeIdOf(i))) {
        victims.addAll(Files.readAllLines(procs));
      }
    }
    if (!victims.isEmpty()) {
      List<String> cmd = new ArrayList<>(List.of("kill", "-9"));
      cmd.addAll(victims);
      exec(cmd, false);
    }
  }

  String nodeIdOf(int i) throws IOException {
    for (String line : Files.readAllLines(nodeDir(i).resolve("data/node.properties"))) {
      if (line.startsWith("node.id=")) {
        return line.substring("node.id=".length());
      }
    }
    throw new IOException("node " + i + " has no node id yet");
  }

  private static List<Path> cgroupProcFiles() throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path base : List.of(Path.of("/sys/fs/cgroup/pids/orch"), Path.of("/sys/fs/cgroup/orch"))) {
      if (Files.isDirectory(base)) {
        try (Stream<Path> s = Files.walk(base, 3)) {
          s.filter(p -> p.getFileName().toString().equals("cgroup.procs")).forEach(out::add);
        }
      }
    }
    return out;
  }

  private static String exec(List<String> cmd, boolean check) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " timed out");
      }
      if (check && p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed with " + p.exitValue() + ": " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return out;
  }

  /** Copies every node's logs next to the test reports, so that a failed run can be read afterwards. */
  void keepLogs(Path into) throws IOException {
    for (int i = 1; Files.isDirectory(nodeDir(i)); i++) {
      Path logs = nodeDir(i).resolve("logs");
      if (Files.isDirectory(logs)) {
        Path dest = Files.createDirectories(into.resolve(name + "-n" + i));
        try (Stream<Path> files = Files.list(logs)) {
          for (Path f : files.toList()) {
            Files.copy(f, dest.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** orchctl ARGS --format json in node 1's namespace, as a list of JSON objects. */
  List<com.fasterxml.jackson.databind.JsonNode> json(String... args) throws IOException {
    List<String> a = new ArrayList<>(List.of(args));
    a.add("--format");
    a.add("json");
    List<com.fasterxml.jackson.databind.JsonNode> out = new ArrayList<>();
    JSON.readTree(ctlOk(a.toArray(String[]::new))).forEach(out::add);
    return out;
  }

  /** Ids of the nodes the cluster sees READY. */
  java.util.Set<String> readyNodes() throws IOException {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (var n : json("node", "ls")) {
      if ("NODE_READY".equals(n.path("status").path("state").asText())) {
        ids.add(n.path("meta").path("id").asText());
      }
    }
    return ids;
  }

  /** Starts orchd on node i joining node 1's cluster with {@code token}. */
  void join(int i, String token) throws IOException {
    orchd(i, "join", "--token", token, "--data-dir", "{data}", "--advertise-addr", "{addr}", addr(1) + ":4242");
  }

  @Override
  public void close() throws IOException {
    try {
      keepLogs(Path.of("target", "testbed-logs"));
    } finally {
      run("down");
    }
  }
}
