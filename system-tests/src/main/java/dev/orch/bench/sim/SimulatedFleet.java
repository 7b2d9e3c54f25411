package dev.orch.bench.sim;

import io.grpc.ManagedChannel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * SIMULATION: joins {@code --nodes} simulated workers to a manager with the worker token and runs
 * them until killed. Started by {@link dev.orch.bench.ScaleBench} as a separate JVM, so that the
 * manager's heap is measured alone. Each node has its own certificate and mutual-TLS connection,
 * because the dispatcher only lets a node act as the node its certificate names.
 */
@Command(name = "simulated-fleet", mixinStandardHelpOptions = true,
    description = "SIMULATION: workers that speak the dispatcher protocol and run nothing.")
public final class SimulatedFleet implements Runnable {
  @Option(names = "--manager", required = true, description = "host:port of the manager") String manager;
  @Option(names = "--nodes", defaultValue = "1000") int nodes;
  @Option(names = "--token", required = true, description = "the worker join token") String token;
  /** Joins wait on a Raft commit each; a few at a time keeps setup short without flooding the CA. */
  @Option(names = "--join-parallelism", defaultValue = "16") int joinParallelism;

  @Override
  public void run() {
    ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "simulated-timers");
      t.setDaemon(true);
      return t;
    });
    List<SimulatedWorker> workers = new ArrayList<>();
    List<ManagedChannel> channels = new ArrayList<>();
    java.util.concurrent.atomic.AtomicInteger joinedCount = new java.util.concurrent.atomic.AtomicInteger();
    ExecutorService joiners = Executors.newFixedThreadPool(joinParallelism);
    try (SimulatedJoin join = new SimulatedJoin(manager, token)) {
      List<Future<SimulatedWorker>> joining = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        int n = i;
        joining.add(joiners.submit(() -> {
          SimulatedJoin.Joined joined = join.join(SimulatedNodes.hostname(n));
          synchronized (channels) {
            channels.add(joined.channel());
          }
          SimulatedWorker w = new SimulatedWorker(joined.nodeId(), SimulatedNodes.description(n), joined.channel(),
              timers, Clock.systemUTC());
          w.start();
          int done = joinedCount.incrementAndGet();
          if (done % 1000 == 0 && done < nodes) {
            System.out.println("simulated-fleet: " + done + " workers joined");
          }
          return w;
        }));
      }
      for (Future<SimulatedWorker> f : joining) {
        workers.add(f.get());
      }
      System.out.println("simulated-fleet: " + nodes + " workers joined " + manager);
      System.out.flush();
      new CountDownLatch(1).await(); // until the benchmark kills this process
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("a simulated node could not join: " + e.getCause(), e.getCause());
    } finally {
      joiners.shutdownNow();
      workers.forEach(SimulatedWorker::close);
      timers.shutdownNow();
      channels.forEach(c -> {
        c.shutdownNow();
        try {
          c.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new SimulatedFleet()).execute(args));
  }
}
