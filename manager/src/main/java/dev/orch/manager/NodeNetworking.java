package dev.orch.manager;

import dev.orch.agent.net.ContainerNetworks;
import dev.orch.agent.net.NetnsCommands;
import dev.orch.net.DnsNames;
import dev.orch.net.EmbeddedDnsServer;
import dev.orch.net.KernelNodeNetworks;
import dev.orch.net.NetworkException;
import dev.orch.net.NodeNetworkConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's networking, set up when orchd starts: the kernel plumbing on the advertised (underlay)
 * address and the embedded DNS server forwarding to the node's resolvers. A node where it cannot be
 * set up still runs tasks without networks; tasks on networks are rejected there with the reason.
 */
record NodeNetworking(Optional<ContainerNetworks> networks, String unavailable) {
  private static final Logger LOG = LoggerFactory.getLogger(NodeNetworking.class);

  static NodeNetworking start(NodeIdentity id, Path workerDir, Random random) {
    KernelNodeNetworks plumbing;
    try {
      plumbing = new KernelNodeNetworks(NodeNetworkConfig.of(id.advertiseHost()));
    } catch (NetworkException | RuntimeException e) {
      String why = "this node cannot set up networks: " + e.getMessage();
      LOG.warn("{}", why);
      return new NodeNetworking(Optional.empty(), why);
    }
    try {
      List<InetSocketAddress> upstreams;
      try {
        upstreams = EmbeddedDnsServer.nameservers(Path.of("/etc/resolv.conf"));
      } catch (IOException e) {
        upstreams = List.of();
      }
      DnsNames names = new DnsNames();
      EmbeddedDnsServer dns = new EmbeddedDnsServer(names, upstreams, random);
      return new NodeNetworking(Optional.of(new ContainerNetworks(plumbing, dns, names, id.nodeId(),
          workerDir.resolve("net"), new NetnsCommands())), "");
    } catch (NetworkException e) {
      plumbing.close();
      String why = "this node cannot serve DNS to containers: " + e.getMessage();
      LOG.warn("{}", why);
      return new NodeNetworking(Optional.empty(), why);
    }
  }
}
