package dev.orch.systemtest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.agent.net.ContainerNetworks;
import dev.orch.agent.net.NetnsCommands;
import dev.orch.bench.OverlayBed;
import dev.orch.net.DnsNames;
import dev.orch.net.EmbeddedDnsServer;
import dev.orch.net.KernelNodeNetworks;
import dev.orch.net.NodeNetworkConfig;
import dev.orch.proto.Meta;
import dev.orch.proto.Network;
import dev.orch.proto.NetworkAllocation;
import dev.orch.proto.NetworkAttachment;
import dev.orch.proto.NetworkEndpoint;
import dev.orch.proto.NetworkSpec;
import dev.orch.proto.NetworkState;
import dev.orch.proto.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's side of task network namespaces across an agent restart, on a real kernel: a
 * namespace made by an agent that died before its task ended is removed by the next agent's
 * startup sweep when no task of the node claims it, and kept (then released normally) when one
 * does. Namespaces of other nodes on the same machine are not touched.
 */
class TaskNamespaceSweepSystemTest {
  private static final String NODE = "node-1";
  private static final String NET = "net-ingress";
  private static OverlayBed bed;
  private final String run = "sw" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
  private final String kept = run + "-kept";
  private final String gone = run + "-gone";
  private final String otherNode = run + "-other";
  @TempDir Path tmp;

  @BeforeAll
  static void setUp() throws Exception {
    RootOnly.require("the task namespace sweep test");
    bed = new OverlayBed("otns" + ProcessHandle.current().pid() % 10000, 1);
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (bed != null) {
      bed.close();
    }
  }

  @AfterEach
  void removeNamespaces() throws Exception {
    NetnsCommands netns = new NetnsCommands();
    for (String id : List.of(kept, gone, otherNode)) {
      netns.delete(id);
    }
  }

  private ContainerNetworks agent(Path filesDir) throws Exception {
    DnsNames names = new DnsNames();
    return new ContainerNetworks(
        new KernelNodeNetworks(new NodeNetworkConfig(OverlayBed.nodeAddress(1), bed.node(1), 4789)),
        new EmbeddedDnsServer(names, List.of(), new Random(1)), names, NODE, filesDir, new NetnsCommands());
  }

  /** A bridge-only ingress network (no VXLAN, no DNS listener) with the node's own address. */
  private static NetworkState view() {
    Network n = Network.newBuilder().setMeta(Meta.newBuilder().setId(NET))
        .setSpec(NetworkSpec.newBuilder().setName("ingress").setIngress(true))
        .setAllocated(NetworkAllocation.newBuilder().setSubnet("10.77.90.0/24").setGateway("10.77.90.1/24"))
        .build();
    return NetworkState.newBuilder().setNetwork(n)
        .addEndpoints(NetworkEndpoint.newBuilder().setNodeId(NODE).setAddr("10.77.90.2/24")
            .setNodeAddr(OverlayBed.nodeAddress(1)))
        .build();
  }

  private static Task task(String id, int octet) {
    return Task.newBuilder().setMeta(Meta.newBuilder().setId(id))
        .addNetworks(NetworkAttachment.newBuilder().setNetworkId(NET).setAddr("10.77.90." + octet + "/24")
            .setMac(String.format("02:42:0a:4d:5a:%02x", octet)))
        .build();
  }

  @Test
  void aNamespaceLeftByADeadAgentIsSweptUnlessATaskClaimsIt() throws Exception {
    Path files = tmp.resolve("net");
    ContainerNetworks first = agent(files);
    first.apply(List.of(view()), List.of(), true);
    first.prepare(task(kept, 10), "kept");
    first.prepare(task(gone, 11), "gone");
    // Another node of the machine has a task namespace of its own: not this node's to remove.
    new NetnsCommands().create(otherNode);
    first.close(); // the agent dies: nothing is released

    ContainerNetworks second = agent(files);
    second.apply(List.of(view()), List.of(), true);
    second.sweep(Set.of(kept));
    assertTrue(Files.exists(NetnsCommands.path(kept)), "a claimed task keeps its namespace");
    assertFalse(Files.exists(NetnsCommands.path(gone)), "an unclaimed task's namespace is removed");
    assertFalse(Files.exists(files.resolve(gone)), "and its files");
    assertTrue(Files.exists(NetnsCommands.path(otherNode)), "another node's namespace is left alone");

    second.release(kept); // the claimed task ends later, without having been adopted or prepared again
    assertFalse(Files.exists(NetnsCommands.path(kept)));
    assertFalse(Files.exists(files.resolve(kept)));
    second.close();
  }
}
