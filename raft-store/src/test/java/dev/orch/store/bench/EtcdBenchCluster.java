package dev.orch.store.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Three etcd members as child processes on loopback ports, each with its own data directory
 * (etcd fsyncs its WAL before acknowledging, by default). Clients write through the leader's
 * HTTP/JSON gateway ({@code POST /v3/kv/put}) over HTTP/1.1 keep-alive connections, one per
 * client, with values of {@link OrchBenchCluster#VALUE_BYTES} bytes.
 */
final class EtcdBenchCluster implements AutoCloseable {
  private static final Pattern LEADER = Pattern.compile("\"leader\":\"(\\d+)\"");
  private static final Pattern MEMBER = Pattern.compile("\"member_id\":\"(\\d+)\"");

  private final List<Process> processes = new ArrayList<>();
  private final List<URI> clientUrls = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .executor(Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "etcd-http");
        t.setDaemon(true);
        return t;
      }))
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private volatile URI leader;
  private final java.util.concurrent.atomic.AtomicLong retries = new java.util.concurrent.atomic.AtomicLong();
  private final String value;

  private EtcdBenchCluster() {
    this.value = Base64.getEncoder().encodeToString("v".repeat(OrchBenchCluster.VALUE_BYTES)
        .getBytes(StandardCharsets.US_ASCII));
  }

  static EtcdBenchCluster start(String etcd, Path dir) throws Exception {
    java.nio.file.Files.createDirectories(dir);
    EtcdBenchCluster cluster = new EtcdBenchCluster();
    int[] clientPorts = {freePort(), freePort(), freePort()};
    int[] peerPorts = {freePort(), freePort(), freePort()};
    List<String> initial = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      initial.add("e" + (i + 1) + "=http://127.0.0.1:" + peerPorts[i]);
    }
    for (int i = 0; i < 3; i++) {
      String name = "e" + (i + 1);
      String client = "http://127.0.0.1:" + clientPorts[i];
      String peer = "http://127.0.0.1:" + peerPorts[i];
      ProcessBuilder builder = new ProcessBuilder(etcd,
          "--name", name,
          "--data-dir", dir.resolve(name).toString(),
          "--listen-client-urls", client, "--advertise-client-urls", client,
          "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
          "--initial-cluster", String.join(",", initial),
          "--initial-cluster-state", "new", "--initial-cluster-token", "orch-bench",
          "--log-level", "warn")
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve(name + ".log").toFile());
      cluster.processes.add(builder.start());
      cluster.clientUrls.add(URI.create(client));
    }
    cluster.leader = cluster.awaitLeader(Duration.ofSeconds(30));
    return cluster;
  }

  /** CPU time the etcd processes have used, from /proc (user and system, in clock ticks of 10 ms). */
  long cpuNanos() {
    long ticks = 0;
    for (Process p : processes) {
      try {
        String stat = java.nio.file.Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }
    return ticks * 10_000_000L;
  }

  URI leaderUrl() {
    return leader;
  }

  private URI awaitLeader(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (URI url : clientUrls) {
        try {
          String status = post(url, "/v3/maintenance/status", "{}");
          Matcher leaderId = LEADER.matcher(status);
          Matcher memberId = MEMBER.matcher(status);
          if (leaderId.find() && memberId.find() && leaderId.group(1).equals(memberId.group(1))) {
            return url;
          }
        } catch (IOException notYet) {
          // still starting
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("etcd elected no leader within " + timeout);
  }

  /** Writes through the leader; when that fails (leadership moved), finds the leader and writes again. */
  void write(int client, long seq) throws Exception {
    String key = Base64.getEncoder().encodeToString(BenchKeys.key(client, seq).getBytes(StandardCharsets.US_ASCII));
    String body = "{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}";
    try {
      post(leader, "/v3/kv/put", body);
    } catch (IOException e) {
      retries.incrementAndGet();
      leader = awaitLeader(Duration.ofSeconds(30));
      post(leader, "/v3/kv/put", body);
    }
  }

  long retries() {
    return retries.get();
  }

  private String post(URI base, String path, String body) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
