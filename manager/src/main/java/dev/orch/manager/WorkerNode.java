package dev.orch.manager;

import dev.orch.agent.Agent;
import dev.orch.agent.AgentConfig;
import dev.orch.agent.image.ImageStore;
import dev.orch.agent.logs.LogRotator;
import dev.orch.agent.runtime.ContainerException;
import dev.orch.agent.runtime.LinuxContainerRuntime;
import dev.orch.agent.volume.VolumeStore;
import dev.orch.manager.security.CertificateFiles;
import dev.orch.manager.security.CertificateRenewer;
import dev.orch.manager.security.ManagerChannels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker side of a node: the agent, its container runtime and image store, its mutual-TLS
 * channel to the manager and the renewal of its certificate. A worker-only orchd runs just this;
 * a manager runs it next to the manager.
 */
public final class WorkerNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerNode.class);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final java.util.concurrent.CompletableFuture<dev.orch.proto.NodeRole> roleChange =
      new java.util.concurrent.CompletableFuture<>();

  private WorkerNode() {}

  /** Completes with the new role when the cluster wants this node in another role than it runs. */
  public java.util.concurrent.CompletableFuture<dev.orch.proto.NodeRole> roleChange() {
    return roleChange;
  }

  /** Starts a worker-only node. */
  public static WorkerNode start(NodeIdentity id, DaemonOptions options) throws IOException {
    CertificateFiles.Credentials creds = new CertificateFiles(options.dataDir()).load();
    Random random = new Random(options.seed());
    return startAgent(id, options, creds, Clock.systemUTC(), random);
  }

  static WorkerNode startAgent(NodeIdentity id, DaemonOptions options, CertificateFiles.Credentials creds,
      Clock clock, Random random) throws IOException {
    WorkerNode node = new WorkerNode();
    try {
      node.wire(id, options, creds, clock, random);
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  private void wire(NodeIdentity id, DaemonOptions options, CertificateFiles.Credentials creds, Clock clock,
      Random random) throws IOException {
    Path worker = options.dataDir().resolve("worker");
    Files.createDirectories(worker.resolve("logs"));
    LinuxContainerRuntime runtime;
    try {
      runtime = new LinuxContainerRuntime(worker.resolve("runtime"), "orch/" + id.nodeId());
    } catch (ContainerException e) {
      throw new IOException("the container runtime cannot start: " + e.getMessage(), e);
    }
    resources.add(runtime);
    ImageStore images = new ImageStore(worker.resolve("images"), options.imageGc(), clock, null);
    ManagerChannels channels = new ManagerChannels(id.manager() ? id.controlAddress() : id.managerAddress(), creds,
        options.dataDir().resolve("managers"));
    dev.orch.proto.NodeRole running = id.manager() ? dev.orch.proto.NodeRole.MANAGER : dev.orch.proto.NodeRole.WORKER;
    channels.onRoleAssigned(role -> {
      if (role != running) {
        roleChange.complete(role);
      }
    });
    resources.add(channels);
    resources.add(new CertificateRenewer(new CertificateFiles(options.dataDir()), channels, clock,
        new Random(random.nextLong())));
    NodeNetworking networking = NodeNetworking.start(id, worker, new Random(random.nextLong()));
    networking.networks().ifPresent(resources::add);
    Agent agent = new Agent(new AgentConfig(id.nodeId(), id.managerAddress(), id.advertiseHost(),
        worker.resolve("logs"), NodeDescriptions.local(), runtime, images, options.stopGrace(), clock,
        new Random(random.nextLong()), new VolumeStore(worker.resolve("volumes"), clock), options.dataDir(),
        new LogRotator(worker.resolve("logs"), options.logRotation().maxBytes(), options.logRotation().maxFiles()),
        options.drainDelay()),
        channels, networking.networks().orElse(null), networking.unavailable());
    resources.add(agent);
    agent.start();
  }

  /** Stops the agent; containers keep running. */
  @Override
  public void close() {
    List<AutoCloseable> reversed = new ArrayList<>(resources);
    Collections.reverse(reversed);
    for (AutoCloseable r : reversed) {
      try {
        r.close();
      } catch (Exception e) {
        LOG.warn("closing {}: {}", r, e.toString());
      }
    }
    resources.clear();
  }
}
