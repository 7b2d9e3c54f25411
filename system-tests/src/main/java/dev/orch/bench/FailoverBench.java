package dev.orch.bench;

import dev.orch.manager.security.AdminChannels;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.ListNodesRequest;
import dev.orch.proto.Node;
import dev.orch.proto.NodeRole;
import dev.orch.proto.UpdateClusterRequest;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Leader kill -9 → first write accepted by the new leader, on a test bed whose nodes 1..3 are
 * managers (set up by deploy/bin/orch-bench-failover, which runs this inside node 1's namespace).
 * After each kill the old leader is restarted and the bench waits for three reachable managers.
 */
@Command(name = "failover-bench", mixinStandardHelpOptions = true)
public final class FailoverBench implements Callable<Integer> {
  @Option(names = "--bed", required = true) String bed;
  @Option(names = "--admin-bundle", required = true) Path bundle;
  @Option(names = "--runs", defaultValue = "20") int runs;
  @Option(names = "--testbed", required = true) Path testbed;
  @Option(names = "--orchd", required = true) Path orchd;
  @Option(names = "--trace", description = "print every failed write attempt (target, time, status)")
  boolean trace;

  /**
   * A write waits this long: as a client would, it lets a call that reached a manager during the
   * election finish once there is a leader, instead of giving up and starting over.
   */
  private static final long WRITE_DEADLINE_S = 10;

  private final Map<Integer, ManagedChannel> channels = new HashMap<>();

  private ControlGrpc.ControlBlockingStub on(int node) {
    return ControlGrpc.newBlockingStub(channels.get(node)).withDeadlineAfter(2, TimeUnit.SECONDS);
  }

  @Override
  public Integer call() throws Exception {
    for (int i = 1; i <= 3; i++) {
      channels.put(i, AdminChannels.open(bundle, "10.250.0." + (10 + i) + ":4242"));
    }
    List<Double> times = new ArrayList<>();
    try {
      for (int run = 1; run <= runs; run++) {
        int leader = awaitThreeManagers();
        long start = System.nanoTime();
        sh(testbed.toString(), "--name", bed, "kill", Integer.toString(leader), "KILL");
        int writer = 0;
        while (true) {
          int target = 1 + (leader + writer++) % 3;
          if (target == leader) {
            continue;
          }
          long attempt = System.nanoTime();
          try {
            ControlGrpc.newBlockingStub(channels.get(target)).withDeadlineAfter(WRITE_DEADLINE_S, TimeUnit.SECONDS)
                .updateCluster(UpdateClusterRequest.newBuilder().setDispatcherHeartbeatMs(1000).build());
            break;
          } catch (RuntimeException notYet) {
            // A restarted manager's channel may sit in gRPC's reconnect backoff (up to two minutes);
            // that is this client's delay, not the cluster's, so reconnect at once.
            channels.get(target).resetConnectBackoff();
            if (trace) {
              System.out.printf(Locale.ROOT, "  %.3f s: write to node %d failed after %.3f s: %s%n",
                  (attempt - start) / 1e9, target, (System.nanoTime() - attempt) / 1e9, notYet.getMessage());
            }
            Thread.sleep(5); // retry interval of the measurement
          }
        }
        double s = (System.nanoTime() - start) / 1e9;
        times.add(s);
        System.out.printf(Locale.ROOT, "run %2d: kill -9 of leader node %d -> first write accepted in %.3f s%n",
            run, leader, s);
        sh(testbed.toString(), "--name", bed, "start", Integer.toString(leader), orchd.toString(), "run",
            "--data-dir", "{data}");
      }
    } finally {
      channels.values().forEach(ManagedChannel::shutdownNow);
    }
    Collections.sort(times);
    System.out.printf(Locale.ROOT, "%nleader kill -9 -> first write accepted, %d runs: p50 %.3f s, p99 %.3f s, max %.3f s%n",
        times.size(), times.get((int) Math.ceil(0.5 * times.size()) - 1),
        times.get((int) Math.ceil(0.99 * times.size()) - 1), times.get(times.size() - 1));
    return 0;
  }

  /**
   * Waits until all three managers are reachable members and each serves the Control API (a
   * restarted manager rejoins Raft before its API is up); returns the leader's node index.
   */
  private int awaitThreeManagers() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!allServing()) {
        Thread.sleep(200);
        continue;
      }
      for (int via = 1; via <= 3; via++) {
        try {
          List<Node> managers = on(via).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
              .filter(n -> n.getSpec().getRole() == NodeRole.MANAGER).toList();
          long reachable = managers.stream().filter(n -> n.getManagerStatus().getReachable()).count();
          for (Node n : managers) {
            if (n.getManagerStatus().getLeader() && reachable == 3) {
              String addr = n.getManagerStatus().getAddr();
              return Integer.parseInt(addr.substring(addr.lastIndexOf('.') + 1, addr.indexOf(':'))) - 10;
            }
          }
        } catch (RuntimeException down) {
          // that manager is not up yet; ask another
        }
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("three reachable managers did not come back within 120 s");
  }

  private boolean allServing() {
    for (int via = 1; via <= 3; via++) {
      try {
        on(via).listNodes(ListNodesRequest.getDefaultInstance());
      } catch (RuntimeException down) {
        channels.get(via).resetConnectBackoff();
        return false;
      }
    }
    return true;
  }

  private static void sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " timed out");
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new FailoverBench()).execute(args));
  }
}
