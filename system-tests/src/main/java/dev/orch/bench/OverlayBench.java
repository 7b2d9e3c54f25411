package dev.orch.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.net.Cidr;
import dev.orch.net.ContainerAttachment;
import dev.orch.net.ContainerEndpoint;
import dev.orch.net.DnsNames;
import dev.orch.net.EmbeddedDnsServer;
import dev.orch.net.KernelNodeNetworks;
import dev.orch.net.NodeNetworkConfig;
import dev.orch.net.OverlayNetwork;
import dev.orch.net.PublishedPort;
import dev.orch.net.RemoteEndpoint;
import dev.orch.net.ServiceVip;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Overlay figures on network-namespace nodes (as root): iperf3 throughput container-to-container
 * across two nodes over VXLAN against node-to-node over the underlay; through the routing mesh (an
 * outside client to a node without the task) against direct to the task; attach latency of the node
 * plumbing; lookup latency of the embedded DNS server on loopback.
 */
@Command(name = "overlay-bench", mixinStandardHelpOptions = true)
public final class OverlayBench implements Callable<Integer> {
  @Option(names = "--seconds", defaultValue = "5", description = "length of each iperf3 run") int seconds;
  @Option(names = "--runs", defaultValue = "5", description = "iperf3 runs per path (the median is printed)") int runs;
  @Option(names = "--streams", defaultValue = "2", description = "parallel TCP streams per iperf3 run (-P), on every path") int streams;
  @Option(names = "--underlay-gro", defaultValue = "true", arity = "1",
      description = "true: turn GRO on on the underlay veths, as physical NICs have it (needs ethtool)") boolean gro;
  @Option(names = "--attaches", defaultValue = "40") int attaches;
  @Option(names = "--lookups", defaultValue = "100000") int lookups;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    try (OverlayBed bed = new OverlayBed("obench" + ProcessHandle.current().pid(), 2)) {
      Path outside = bed.host("x", 9);
      KernelNodeNetworks n1 = new KernelNodeNetworks(new NodeNetworkConfig(OverlayBed.nodeAddress(1), bed.node(1), 4789));
      KernelNodeNetworks n2 = new KernelNodeNetworks(new NodeNetworkConfig(OverlayBed.nodeAddress(2), bed.node(2), 4789));
      Cidr subnet = Cidr.parse("10.88.0.0/24");
      n1.ensureNetwork(new OverlayNetwork("ingress", 7001, subnet, "10.88.0.1", false, "10.88.0.250"));
      n2.ensureNetwork(new OverlayNetwork("ingress", 7001, subnet, "10.88.0.1", false, "10.88.0.251"));
      Path c1 = bed.container("c1");
      Path c2 = bed.container("c2");
      n1.attach(new ContainerAttachment("c1", c1, List.of(ContainerEndpoint.of("ingress", "10.88.0.11", "eth0"))));
      n2.attach(new ContainerAttachment("c2", c2, List.of(ContainerEndpoint.of("ingress", "10.88.0.12", "eth0"))));
      n1.setPeers("ingress", List.of(RemoteEndpoint.of("10.88.0.12", OverlayBed.nodeAddress(2)),
          RemoteEndpoint.of("10.88.0.251", OverlayBed.nodeAddress(2))));
      n2.setPeers("ingress", List.of(RemoteEndpoint.of("10.88.0.11", OverlayBed.nodeAddress(1)),
          RemoteEndpoint.of("10.88.0.250", OverlayBed.nodeAddress(1))));
      PublishedPort port = new PublishedPort("tcp", 8201, 5201, PublishedPort.Mode.INGRESS, List.of("10.88.0.12"));
      n1.setPublishedPorts(List.of(port));
      n2.setPublishedPorts(List.of(port));
      bed.start(bed.node(2), "iperf3", "-s", "-p", "5201");
      bed.start(c2, "iperf3", "-s", "-p", "5201");
      System.out.printf(Locale.ROOT, "overlay MTU %d (underlay - 50)%n", n1.mtu());

      if (gro) {
        // physical NICs receive with GRO on; veths only when asked
        for (Path host : List.of(bed.node(1), bed.node(2), outside)) {
          OverlayBed.Result r = bed.exec(host, "ethtool -K eth0 gro on");
          if (r.code() != 0) {
            throw new IllegalStateException("ethtool -K eth0 gro on failed (install ethtool or pass --underlay-gro false): " + r.out());
          }
        }
      }
      // interleaved, so that the load of the machine drifts alike for the paths compared
      List<Double> underlay = new ArrayList<>();
      List<Double> overlay = new ArrayList<>();
      List<Double> mesh = new ArrayList<>();
      List<Double> overlayRatio = new ArrayList<>();
      List<Double> meshRatio = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        double u = iperf(bed, bed.node(1), OverlayBed.nodeAddress(2), 5201);
        double o = iperf(bed, c1, "10.88.0.12", 5201);
        double m = iperf(bed, outside, OverlayBed.nodeAddress(1), 8201);
        underlay.add(u);
        overlay.add(o);
        mesh.add(m);
        overlayRatio.add(o / u);
        meshRatio.add(m / o);
      }
      System.out.printf(Locale.ROOT, "iperf3, %d interleaved runs of %d s each, %d streams, medians (underlay GRO %s):%n", runs,
          seconds, streams, gro ? "on" : "off");
      System.out.printf(Locale.ROOT, "  underlay node1 -> node2                          %6.2f Gbit/s%n", median(underlay));
      System.out.printf(Locale.ROOT, "  overlay container1 -> container2 (VXLAN)         %6.2f Gbit/s  overlay/underlay %.3f%n",
          median(overlay), median(overlayRatio));
      System.out.printf(Locale.ROOT, "  routing mesh outside -> node1 -> container2      %6.2f Gbit/s  mesh/direct %.3f%n",
          median(mesh), median(meshRatio));
      System.out.println("  per run overlay/underlay " + fmt(overlayRatio) + ", mesh/direct " + fmt(meshRatio));

      attachLatency(bed, n1);
      dnsLatency();
    }
    return 0;
  }

  /** Receiver throughput of one iperf3 run, Gbit/s. */
  private double iperf(OverlayBed bed, Path from, String to, int port) throws Exception {
    OverlayBed.Result r = bed.exec(from, "iperf3 -J -c " + to + " -p " + port + " -t " + seconds
        + " -P " + streams + " -O 1"); // -O 1: slow start is not counted
    if (r.code() != 0) {
      throw new IllegalStateException("iperf3 to " + to + ":" + port + " failed: " + r.out());
    }
    return JSON.readTree(r.out()).path("end").path("sum_received").path("bits_per_second").asDouble() / 1e9;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }

  private static String fmt(List<Double> values) {
    return values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList().toString();
  }

  private void attachLatency(OverlayBed bed, KernelNodeNetworks node) throws Exception {
    node.setServiceVips(List.of(new ServiceVip("s", "ingress", "10.88.0.200", List.of("10.88.0.12", "10.88.0.11"))));
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < attaches; i++) {
      Path ns = bed.container("a" + i);
      long t = System.nanoTime();
      node.attach(new ContainerAttachment("a" + i, ns, List.of(ContainerEndpoint.of("ingress", "10.88.0." + (20 + i), "eth0"))));
      ms.add((System.nanoTime() - t) / 1e6);
    }
    long t = System.nanoTime();
    node.setServiceVips(List.of(new ServiceVip("s", "ingress", "10.88.0.200", List.of("10.88.0.12"))));
    double update = (System.nanoTime() - t) / 1e6;
    ms.sort(null);
    System.out.printf(Locale.ROOT, "attach (veth + address + route + VIP rules), %d containers: p50 %.1f ms, p99 %.1f ms%n",
        attaches, pct(ms, 50), pct(ms, 99));
    System.out.printf(Locale.ROOT, "VIP backend change applied to %d containers: %.1f ms%n", attaches + 1, update);
  }

  private void dnsLatency() throws Exception {
    DnsNames names = new DnsNames();
    Map<String, List<String>> table = new HashMap<>();
    Map<String, String> tasks = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      tasks.put("web." + i, "10.0.0." + (10 + i));
    }
    DnsNames.serviceNames(table, "web", List.of(), "10.0.0.2", tasks);
    names.setNetworkNames("n", table);
    names.setScope("127.0.0.1", Set.of("n"));
    try (EmbeddedDnsServer server = new EmbeddedDnsServer(names, List.of(), new Random(1));
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      InetSocketAddress at = server.listen("127.0.0.1", 0);
      socket.connect(at);
      socket.setSoTimeout(2000);
      byte[] buf = new byte[1500];
      List<Double> us = new ArrayList<>();
      for (int i = 0; i < lookups; i++) {
        byte[] q = query(i & 0xffff, i % 2 == 0 ? "web" : "tasks.web");
        long t = System.nanoTime();
        socket.send(new DatagramPacket(q, q.length));
        DatagramPacket answer = new DatagramPacket(buf, buf.length);
        socket.receive(answer);
        if (i >= lookups / 10) {
          us.add((System.nanoTime() - t) / 1e3);
        }
        if ((buf[0] & 0xff) != (i >> 8 & 0xff) || (buf[1] & 0xff) != (i & 0xff)) {
          throw new IllegalStateException("answer to another query");
        }
      }
      us.sort(null);
      System.out.printf(Locale.ROOT, "DNS lookups (UDP, loopback, %d after warm-up): p50 %.0f us, p99 %.0f us, max %.0f us%n",
          us.size(), pct(us, 50), pct(us, 99), us.get(us.size() - 1));
    }
    udpEchoFloor();
  }

  /** The same round trips against a plain blocking UDP echo thread: what the machine itself allows. */
  private void udpEchoFloor() throws Exception {
    try (DatagramSocket echo = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      Thread t = new Thread(() -> {
        byte[] b = new byte[1500];
        try {
          while (true) {
            DatagramPacket p = new DatagramPacket(b, b.length);
            echo.receive(p);
            echo.send(p);
          }
        } catch (java.io.IOException closed) {
          // the bench is over
        }
      }, "udp-echo");
      t.setDaemon(true);
      t.start();
      socket.connect(echo.getLocalSocketAddress());
      byte[] q = query(1, "web");
      byte[] buf = new byte[1500];
      List<Double> us = new ArrayList<>();
      for (int i = 0; i < lookups; i++) {
        long start = System.nanoTime();
        socket.send(new DatagramPacket(q, q.length));
        socket.receive(new DatagramPacket(buf, buf.length));
        if (i >= lookups / 10) {
          us.add((System.nanoTime() - start) / 1e3);
        }
      }
      us.sort(null);
      System.out.printf(Locale.ROOT, "plain UDP echo round trips, same machine, same moment: p50 %.0f us, p99 %.0f us%n",
          pct(us, 50), pct(us, 99));
    }
  }

  private static byte[] query(int id, String name) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {(byte) (id >> 8), (byte) id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
    for (String label : name.split("\\.")) {
      byte[] l = label.getBytes(StandardCharsets.US_ASCII);
      b.write(l.length);
      b.writeBytes(l);
    }
    b.writeBytes(new byte[] {0, 0, 1, 0, 1});
    return b.toByteArray();
  }

  private static double pct(List<Double> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new OverlayBench()).execute(args));
  }
}
