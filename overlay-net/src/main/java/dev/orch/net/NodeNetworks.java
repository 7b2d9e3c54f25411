package dev.orch.net;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The node side of networking, desired-state style: every call states what should exist and
 * converges the kernel to it, so calling it again (after an error, or after orchd restarted and
 * re-reads its assignments) is safe. All methods act in the network namespace the node runs in.
 * Implementations are thread-safe (calls are serialised).
 *
 * <p>Per network the node has a bridge holding the gateway address and, for an overlay (VNI != 0),
 * a VXLAN device enslaved to it with learning off, proxy ARP on and only static FDB and neighbour
 * entries (from {@link #setPeers}); MTU is the underlay MTU minus the 50 bytes VXLAN adds.
 */
public interface NodeNetworks extends AutoCloseable {

  /** Creates the network's devices and rules, or corrects them; unchanged ones are left alone. */
  void ensureNetwork(OverlayNetwork network) throws NetworkException;

  /**
   * Removes the network's devices, FDB and neighbour entries and rules. Containers still attached
   * to it lose that endpoint. Removing a network the node does not have is not an error.
   */
  void removeNetwork(String networkId) throws NetworkException;

  /**
   * The complete set of endpoints of the network on other nodes; entries not in the set are
   * removed. Endpoints whose node address is this node's own are ignored.
   */
  void setPeers(String networkId, Collection<RemoteEndpoint> peers) throws NetworkException;

  /**
   * Connects a container: per endpoint a veth pair, one end in the container's namespace with the
   * address, MAC and name of the endpoint, the other end on the network's bridge; a default route
   * via the gateway of the first non-internal network; the load-balancing rules of the VIPs on its
   * networks (see {@link #setServiceVips}). Attaching a container that is attached already replaces
   * its endpoints.
   */
  void attach(ContainerAttachment attachment) throws NetworkException;

  /** Removes the container's host-side interfaces (those in its namespace go with the namespace). */
  void detach(String containerId) throws NetworkException;

  /**
   * The complete set of service VIPs with their backends on this node's networks. Each attached
   * container's namespace gets the rules of the VIPs of the networks it is on, replaced in one
   * nftables transaction per container.
   */
  void setServiceVips(Collection<ServiceVip> vips) throws NetworkException;

  /** The complete set of ports published on this node (routing mesh and host mode), in one transaction. */
  void setPublishedPorts(Collection<PublishedPort> ports) throws NetworkException;

  /**
   * Startup sweep: removes the devices and rules a previous run of this node left for networks and
   * containers no longer wanted. Call once after orchd starts, with what its assignments still need.
   */
  void sweep(Set<String> wantedNetworkIds, Set<String> wantedContainerIds) throws NetworkException;

  /** Networks this node has set up, by id. */
  Set<String> networks();

  /** Containers attached, by id. */
  List<String> containers();

  @Override
  void close();
}
