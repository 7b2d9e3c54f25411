package dev.orch.systemtest;

import dev.orch.ctl.OrchCtl;
import dev.orch.manager.DaemonOptions;
import dev.orch.manager.ManagerNode;
import dev.orch.manager.NodeIdentity;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import io.grpc.ManagedChannel;
import dev.orch.manager.security.AdminChannels;
import dev.orch.manager.security.ClusterPki;
import java.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real one-node orch in this JVM, plus orchctl run in-process against it. */
final class SingleNode implements AutoCloseable {
  final Path dataDir;
  final NodeIdentity identity;
  /** Where orchd writes the manager address and admin bundle for orchctl, as ~/.orch would be. */
  final Path configDir;
  private ManagerNode node;
  private final ManagedChannel channel;

  private final dev.orch.agent.image.ImageGcPolicy imageGc;

  SingleNode(Path dataDir) throws IOException {
    this(dataDir, null);
  }

  /** @param imageGc the node's image GC policy; null for orchd's default */
  SingleNode(Path dataDir, dev.orch.agent.image.ImageGcPolicy imageGc) throws IOException {
    this.dataDir = dataDir;
    this.imageGc = imageGc;
    int port = freePort();
    this.identity = new NodeIdentity("node" + Long.toHexString(System.nanoTime()), "c" + port,
        "127.0.0.1", port, freePort());
    this.configDir = dataDir.resolveSibling(dataDir.getFileName() + "-client");
    Files.createDirectories(dataDir);
    ClusterPki.initialize(dataDir, identity.clusterId(), identity.nodeId(), identity.advertiseHost(), Clock.systemUTC());
    identity.save(dataDir);
    start();
    channel = AdminChannels.open(ClusterPki.adminBundle(dataDir), identity.controlAddress());
  }

  void start() throws IOException {
    node = ManagerNode.start(identity, new DaemonOptions(dataDir, null, Duration.ofMillis(500),
        Duration.ofSeconds(2), configDir, 42, java.util.Set.of(), null, null, imageGc));
  }

  /** Stops orchd (containers keep running) and starts it again on the same data dir. */
  void restart() throws IOException {
    stop();
    start();
  }

  /** Stops orchd; containers keep running; {@link #start} brings it back. */
  void stop() {
    node.close();
  }

  ControlGrpc.ControlBlockingStub control() {
    return ControlGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** For streaming calls (WatchEvents): no deadline, the caller cancels. */
  ControlGrpc.ControlStub asyncControl() {
    return ControlGrpc.newStub(channel);
  }

  dev.orch.proto.Service service(String name) {
    return control().getService(dev.orch.proto.GetServiceRequest.newBuilder().setService(name).build()).getService();
  }

  List<Task> tasks(String service) {
    return control().listTasks(ListTasksRequest.newBuilder().setService(service).build()).getTasksList();
  }

  List<Task> running(String service) {
    return tasks(service).stream()
        .filter(t -> t.getStatus().getState() == TaskState.RUNNING && t.getDesiredState() == TaskState.RUNNING)
        .toList();
  }

  /** The node's log file of task {@code t}. */
  Path logFile(Task t) {
    return dataDir.resolve("worker/logs/" + t.getMeta().getId() + ".log");
  }

  /** What task {@code t}'s container wrote so far, its lines each ended by a newline ("" before any). */
  String logText(Task t) throws IOException {
    Path f = logFile(t);
    if (!Files.exists(f)) {
      return "";
    }
    return new dev.orch.agent.logs.LogReader(f).tail(-1).stream().map(e -> e.line() + "\n")
        .collect(java.util.stream.Collectors.joining());
  }

  /** Result of one orchctl invocation. */
  record Ctl(int exit, String out, String err) {}

  Ctl ctl(String... args) {
    return ctlAt(identity.controlAddress(), args);
  }

  Ctl ctlAt(String host, String... args) {
    return ctlWith(Map.of("ORCH_HOST", host, "ORCH_CONFIG_DIR", configDir.toString()), args);
  }

  static Ctl ctlWith(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = OrchCtl.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, args);
    return new Ctl(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    if (node != null) {
      node.close();
    }
  }
}
