package dev.orch.agent.net;

import dev.orch.net.Cidr;
import dev.orch.net.ContainerAttachment;
import dev.orch.net.ContainerEndpoint;
import dev.orch.net.DnsNames;
import dev.orch.net.EmbeddedDnsServer;
import dev.orch.net.NetworkException;
import dev.orch.net.NodeNetworks;
import dev.orch.net.OverlayNetwork;
import dev.orch.net.PublishedPort;
import dev.orch.net.RemoteEndpoint;
import dev.orch.net.ServiceVip;
import dev.orch.proto.EndpointMode;
import dev.orch.proto.NetworkAttachment;
import dev.orch.proto.NetworkEndpoint;
import dev.orch.proto.NetworkMode;
import dev.orch.proto.NetworkState;
import dev.orch.proto.PortConfig;
import dev.orch.proto.PortProtocol;
import dev.orch.proto.PublishMode;
import dev.orch.proto.ServiceBinding;
import dev.orch.proto.Task;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of networking: turns the network views the dispatcher sends into calls on
 * {@link NodeNetworks} (devices, peers, VIP balancing, published ports) and the DNS name table, and
 * connects each task's container before it starts: its own network namespace with one interface
 * per network, and the /etc/resolv.conf, /etc/hosts and /etc/hostname it sees.
 *
 * <p>Desired state, like the plumbing underneath: every change recomputes the whole set of VIPs
 * and ports from what is known, and a failed kernel update is retried on a timer until it goes
 * through (never dropped).
 */
public final class ContainerNetworks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerNetworks.class);
  /** How long a task waits for the views of its networks, which follow its assignment by milliseconds. */
  private static final long VIEW_WAIT_MS = 30_000;

  private final NodeNetworks plumbing;
  private final DnsNames names;
  private final EmbeddedDnsServer dns;
  private final String nodeId;
  private final Path filesDir;
  private final NetnsCommands netns;
  private final Map<String, NetworkState> known = new LinkedHashMap<>();
  private final Map<String, InetSocketAddress> dnsListeners = new HashMap<>();
  /** Tasks of this node whose containers are connected, by task id. */
  private final Map<String, Task> attached = new HashMap<>();
  private final ScheduledExecutorService networkThread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "orch-network");
    t.setDaemon(true);
    return t;
  });
  private boolean retryScheduled;
  private boolean balancingQueued;
  private boolean swept;

  /** What a task's container needs to join its networks. */
  public record Prepared(Path netns, Map<String, Path> files) {}

  /** @param names the table {@code dns} answers from */
  public ContainerNetworks(NodeNetworks plumbing, EmbeddedDnsServer dns, DnsNames names, String nodeId, Path filesDir,
      NetnsCommands netns) {
    this.plumbing = plumbing;
    this.names = names;
    this.dns = dns;
    this.nodeId = nodeId;
    this.filesDir = filesDir;
    this.netns = netns;
  }

  /** Whether a task's container needs endpoints set up by this class (it has network attachments). */
  public static boolean attaches(Task t) {
    return t.getSpec().getNetworkMode() == NetworkMode.NETWORK_MODE_DEFAULT && t.getNetworksCount() > 0;
  }

  /** Applies network views from the assignment stream: before the tasks of the same message. */
  public synchronized void apply(List<NetworkState> updates, List<String> removals, boolean complete) {
    if (complete) {
      Set<String> present = new HashSet<>();
      updates.forEach(s -> present.add(s.getNetwork().getMeta().getId()));
      known.keySet().stream().filter(id -> !present.contains(id)).toList().forEach(this::forget);
    }
    for (NetworkState s : updates) {
      known.put(s.getNetwork().getMeta().getId(), s);
    }
    removals.forEach(this::forget);
    notifyAll();
    reprogram();
  }

  private void forget(String networkId) {
    if (known.remove(networkId) == null) {
      return;
    }
    names.removeNetwork(networkId);
    InetSocketAddress listener = dnsListeners.remove(networkId);
    if (listener != null) {
      dns.unlisten(listener);
    }
    try {
      plumbing.removeNetwork(networkId);
    } catch (NetworkException e) {
      LOG.warn("removing network {} failed (the startup sweep removes it): {}", networkId, e.getMessage());
    }
  }

  /**
   * Startup sweep, once the first complete assignment set is known: removes what a previous run of
   * this node left for networks and containers no longer wanted.
   */
  public synchronized void sweep(Set<String> wantedTaskIds) {
    if (swept) {
      return;
    }
    swept = true;
    try {
      plumbing.sweep(Set.copyOf(known.keySet()), wantedTaskIds);
    } catch (NetworkException e) {
      LOG.warn("network sweep failed: {}", e.getMessage());
    }
    // Namespaces are found through this node's task directories (made before each namespace):
    // /run/netns is shared by every node of a machine (the test bed), the directories are not.
    for (String taskId : taskDirs()) {
      if (!wantedTaskIds.contains(taskId)) {
        LOG.info("removing the network namespace of task {}: no task of this node claims it", taskId);
        step(taskId, "deleting its network namespace", () -> netns.delete(taskId));
        step(taskId, "deleting its resolv.conf/hosts/hostname", () -> deleteFiles(taskId));
      }
    }
  }

  private List<String> taskDirs() {
    if (!Files.isDirectory(filesDir)) {
      return List.of();
    }
    try (var dirs = Files.list(filesDir)) {
      return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).toList();
    } catch (IOException e) {
      LOG.warn("listing {} failed: {}", filesDir, e.getMessage());
      return List.of();
    }
  }

  /**
   * Converges devices, peers and DNS names to what is known at once (a task connecting next needs
   * them), and queues the VIPs and published ports; retries on failure.
   */
  private void reprogram() {
    try {
      for (NetworkState s : known.values()) {
        program(s);
      }
    } catch (NetworkException | RuntimeException e) {
      failed(e);
    }
    queueBalancing();
  }

  /**
   * VIPs and published ports are applied on the network thread, from the state known when it runs:
   * they cost a process per container of a network, and the view updates of a burst of starting
   * tasks, which each change every container's backends, are merged into one pass instead of one
   * pass each.
   */
  private void queueBalancing() {
    if (!balancingQueued && !networkThread.isShutdown()) {
      balancingQueued = true;
      networkThread.execute(this::balance);
    }
  }

  private void balance() {
    List<ServiceVip> vips;
    List<PublishedPort> ports;
    synchronized (this) {
      balancingQueued = false;
      vips = vips();
      ports = ports();
    }
    try {
      plumbing.setServiceVips(vips);
      plumbing.setPublishedPorts(ports);
    } catch (NetworkException | RuntimeException e) {
      synchronized (this) {
        failed(e);
      }
    }
  }

  private void failed(Exception e) {
    LOG.warn("programming networks failed, retrying: {}", e.getMessage());
    if (!retryScheduled && !networkThread.isShutdown()) {
      retryScheduled = true;
      networkThread.schedule(this::retry, 1, TimeUnit.SECONDS);
    }
  }

  private synchronized void retry() {
    retryScheduled = false;
    reprogram();
  }

  private void program(NetworkState s) throws NetworkException {
    String id = s.getNetwork().getMeta().getId();
    Cidr subnet = Cidr.parse(s.getNetwork().getAllocated().getSubnet());
    String gateway = ip(s.getNetwork().getAllocated().getGateway());
    String own = null;
    List<RemoteEndpoint> peers = new ArrayList<>();
    for (NetworkEndpoint e : s.getEndpointsList()) {
      if (e.getNodeId().equals(nodeId)) {
        if (e.getTaskId().isEmpty()) {
          own = ip(e.getAddr());
        }
      } else if (!e.getNodeAddr().isEmpty()) {
        peers.add(new RemoteEndpoint(ip(e.getAddr()), e.getMac(), e.getNodeAddr()));
      }
    }
    boolean ingress = s.getNetwork().getSpec().getIngress();
    if (ingress && own == null) {
      throw new NetworkException("this node has no address on the ingress network yet");
    }
    plumbing.ensureNetwork(new OverlayNetwork(id, s.getNetwork().getAllocated().getVni(), subnet, gateway,
        s.getNetwork().getSpec().getInternal(), ingress ? own : null));
    plumbing.setPeers(id, peers);
    names.setNetworkNames(id, dnsTable(s));
    if (!ingress && !dnsListeners.containsKey(id)) {
      dnsListeners.put(id, dns.listen(gateway, 53));
    }
  }

  /** SERVICE, aliases, tasks.SERVICE and task names of a network; only running tasks are listed. */
  private static Map<String, List<String>> dnsTable(NetworkState s) {
    Map<String, List<String>> table = new HashMap<>();
    for (ServiceBinding b : s.getServicesList()) {
      Map<String, String> tasks = new LinkedHashMap<>();
      for (NetworkEndpoint e : s.getEndpointsList()) {
        if (e.getRunning() && e.getServiceName().equals(b.getName())) {
          tasks.put(e.getTaskName(), ip(e.getAddr()));
        }
      }
      String vip = b.getMode() == EndpointMode.ENDPOINT_VIP && !b.getVip().isEmpty() ? ip(b.getVip()) : null;
      DnsNames.serviceNames(table, b.getName(), b.getAliasesList(), vip, tasks);
    }
    return table;
  }

  private List<ServiceVip> vips() {
    List<ServiceVip> out = new ArrayList<>();
    for (NetworkState s : known.values()) {
      for (ServiceBinding b : s.getServicesList()) {
        if (b.getMode() == EndpointMode.ENDPOINT_VIP && !b.getVip().isEmpty()) {
          out.add(new ServiceVip(b.getServiceId(), s.getNetwork().getMeta().getId(), ip(b.getVip()),
              backends(s, b.getName())));
        }
      }
    }
    return out;
  }

  /** Ingress ports from the ingress view (backends: every task on ingress), host ports of this node's tasks. */
  private List<PublishedPort> ports() {
    List<PublishedPort> out = new ArrayList<>();
    for (NetworkState s : known.values()) {
      if (!s.getNetwork().getSpec().getIngress()) {
        continue;
      }
      for (ServiceBinding b : s.getServicesList()) {
        for (PortConfig p : b.getPortsList()) {
          out.add(new PublishedPort(protocol(p), p.getPublished(), p.getTarget(), PublishedPort.Mode.INGRESS,
              backends(s, b.getName())));
        }
      }
    }
    for (Task t : attached.values()) {
      for (PortConfig p : t.getSpec().getPortsList()) {
        if (p.getMode() == PublishMode.PUBLISH_HOST) {
          out.add(new PublishedPort(protocol(p), p.getPublished(), p.getTarget(), PublishedPort.Mode.HOST,
              List.of(ip(t.getNetworks(0).getAddr()))));
        }
      }
    }
    return out;
  }

  private static List<String> backends(NetworkState s, String service) {
    return s.getEndpointsList().stream()
        .filter(e -> e.getRunning() && e.getServiceName().equals(service))
        .map(e -> ip(e.getAddr())).toList();
  }

  /**
   * Connects a task's container before it starts: waits for the views of its networks, makes its
   * network namespace, attaches one interface per network (eth0, eth1, ... in the order of the
   * task's endpoints) and writes the files the container sees. The kernel work runs outside this
   * object's lock, so the tasks of a burst connect side by side and view updates do not wait for
   * them (the plumbing orders what it must).
   */
  public Prepared prepare(Task t, String hostname) throws NetworkException, InterruptedException {
    String taskId = t.getMeta().getId();
    String nameserver = awaitViews(t);
    Path ns;
    try {
      // the directory first: it is how a restarted agent finds the namespace if this one dies now
      Files.createDirectories(filesDir.resolve(taskId));
      ns = netns.create(taskId);
    } catch (IOException e) {
      throw new NetworkException("connecting task " + taskId + ": " + e.getMessage(), e);
    }
    try {
      List<ContainerEndpoint> endpoints = new ArrayList<>();
      for (int i = 0; i < t.getNetworksCount(); i++) {
        NetworkAttachment a = t.getNetworks(i);
        endpoints.add(new ContainerEndpoint(a.getNetworkId(), ip(a.getAddr()), a.getMac(), "eth" + i));
      }
      plumbing.attach(new ContainerAttachment(taskId, ns, endpoints));
      Map<String, Path> files = writeFiles(t, hostname, nameserver);
      synchronized (this) {
        attached.put(taskId, t);
        scope(t);
        queueBalancing(); // its host-mode ports
      }
      return new Prepared(ns, files);
    } catch (NetworkException | IOException | RuntimeException e) {
      release(taskId);
      throw e instanceof NetworkException n ? n : new NetworkException("connecting task " + taskId + ": " + e.getMessage(), e);
    }
  }

  /** Waits for the views of the task's networks; returns the nameserver its containers use. */
  private synchronized String awaitViews(Task t) throws NetworkException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(VIEW_WAIT_MS);
    while (!t.getNetworksList().stream().allMatch(a -> known.containsKey(a.getNetworkId()))) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new NetworkException("the manager sent no view of network "
            + t.getNetworksList().stream().map(NetworkAttachment::getNetworkId)
                .filter(id -> !known.containsKey(id)).findFirst().orElse("?") + " in " + VIEW_WAIT_MS / 1000 + " s");
      }
      wait(left); // woken by apply(); a monitor wait, not a sleep
    }
    return ip(known.get(t.getNetworks(0).getNetworkId()).getNetwork().getAllocated().getGateway());
  }

  /** A container that outlived an earlier agent process: connected again (idempotent) so VIPs and DNS cover it. */
  public synchronized void adopt(Task t) {
    if (!attaches(t)) {
      return;
    }
    attached.put(t.getMeta().getId(), t);
    scope(t);
    reprogram();
  }

  private void scope(Task t) {
    Set<String> networks = new HashSet<>();
    t.getNetworksList().forEach(a -> networks.add(a.getNetworkId()));
    t.getNetworksList().forEach(a -> names.setScope(ip(a.getAddr()), networks));
  }

  /** Disconnects a task's container: its interfaces, namespace, files, DNS scope and host ports. */
  public void release(String taskId) {
    synchronized (this) {
      Task t = attached.remove(taskId);
      if (t != null) {
        t.getNetworksList().forEach(a -> names.removeScope(ip(a.getAddr())));
      }
    }
    // Each step on its own: a detach that fails must not leave the namespace or the files behind.
    // Outside this object's lock, as in prepare.
    step(taskId, "detaching its endpoints", () -> plumbing.detach(taskId));
    step(taskId, "deleting its network namespace", () -> netns.delete(taskId));
    synchronized (this) {
      queueBalancing(); // its host-mode ports
    }
    step(taskId, "deleting its resolv.conf/hosts/hostname", () -> deleteFiles(taskId));
  }

  private interface Step {
    void run() throws NetworkException, IOException;
  }

  private static void step(String taskId, String what, Step step) {
    try {
      step.run();
    } catch (NetworkException | IOException | RuntimeException e) {
      LOG.warn("disconnecting task {}: {} failed (the startup sweep finishes it): {}", taskId, what, e.getMessage());
    }
  }

  private Map<String, Path> writeFiles(Task t, String hostname, String nameserver) throws IOException {
    Path dir = filesDir.resolve(t.getMeta().getId());
    Files.createDirectories(dir);
    Path resolv = dir.resolve("resolv.conf");
    Files.writeString(resolv, "nameserver " + nameserver + "\noptions ndots:0\n");
    Path hosts = dir.resolve("hosts");
    Files.writeString(hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        + ip(t.getNetworks(0).getAddr()) + "\t" + hostname + "\n");
    Path name = dir.resolve("hostname");
    Files.writeString(name, hostname + "\n");
    Map<String, Path> files = new LinkedHashMap<>();
    files.put("/etc/resolv.conf", resolv);
    files.put("/etc/hosts", hosts);
    files.put("/etc/hostname", name);
    return files;
  }

  private void deleteFiles(String taskId) throws IOException {
    Path dir = filesDir.resolve(taskId);
    if (Files.isDirectory(dir)) {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private static String protocol(PortConfig p) {
    return p.getProtocol() == PortProtocol.PROTO_UDP ? "udp" : "tcp";
  }

  /** The address part of {@code a.b.c.d/n}. */
  static String ip(String cidr) {
    int slash = cidr.indexOf('/');
    return slash < 0 ? cidr : cidr.substring(0, slash);
  }

  /** Networks this node has set up (tests). */
  public synchronized Collection<String> networks() {
    return List.copyOf(known.keySet());
  }

  @Override
  public void close() {
    networkThread.shutdownNow();
    dns.close();
    plumbing.close();
  }
}
