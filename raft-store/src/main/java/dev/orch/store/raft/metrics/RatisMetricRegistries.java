package dev.orch.store.raft.metrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.apache.ratis.util.TimeDuration;

/**
 * Ratis' process-wide metric registries, found by Ratis through {@link java.util.ServiceLoader}.
 * Registries are reference counted because several Ratis components (and, in tests, several
 * servers in one JVM) may create and remove the same one.
 */
public final class RatisMetricRegistries extends MetricRegistries {
  private final Map<MetricRegistryInfo, Counted> registries = new HashMap<>();
  private final List<Consumer<RatisMetricRegistry>> onAdd = new CopyOnWriteArrayList<>();
  private final List<Consumer<RatisMetricRegistry>> onRemove = new CopyOnWriteArrayList<>();

  private static final class Counted {
    final Registry registry;
    int references;

    Counted(Registry registry) {
      this.registry = registry;
    }
  }

  @Override
  public synchronized void clear() {
    registries.values().forEach(c -> onRemove.forEach(l -> l.accept(c.registry)));
    registries.clear();
  }

  @Override
  public RatisMetricRegistry create(MetricRegistryInfo info) {
    Registry created;
    synchronized (this) {
      Counted counted = registries.computeIfAbsent(info, i -> new Counted(new Registry(i)));
      counted.references++;
      if (counted.references > 1) {
        return counted.registry;
      }
      created = counted.registry;
    }
    onAdd.forEach(l -> l.accept(created));
    return created;
  }

  @Override
  public boolean remove(MetricRegistryInfo info) {
    Registry removed;
    synchronized (this) {
      Counted counted = registries.get(info);
      if (counted == null) {
        return false;
      }
      if (--counted.references > 0) {
        return true;
      }
      registries.remove(info);
      removed = counted.registry;
    }
    onRemove.forEach(l -> l.accept(removed));
    return true;
  }

  @Override
  public synchronized Optional<RatisMetricRegistry> get(MetricRegistryInfo info) {
    return Optional.ofNullable(registries.get(info)).map(c -> c.registry);
  }

  @Override
  public synchronized Set<MetricRegistryInfo> getMetricRegistryInfos() {
    return Set.copyOf(registries.keySet());
  }

  @Override
  public synchronized Collection<RatisMetricRegistry> getMetricRegistries() {
    return new ArrayList<>(registries.values().stream().map(c -> (RatisMetricRegistry) c.registry).toList());
  }

  @Override
  public void addReporterRegistration(Consumer<RatisMetricRegistry> reporter, Consumer<RatisMetricRegistry> stopper) {
    onAdd.add(reporter);
    onRemove.add(stopper);
  }

  @Override
  public void removeReporterRegistration(Consumer<RatisMetricRegistry> reporter, Consumer<RatisMetricRegistry> stopper) {
    onAdd.remove(reporter);
    onRemove.remove(stopper);
  }

  /** There is no JMX or console output; the manager exports metrics its own way. */
  @Override
  public void enableJmxReporter() {}

  @Override
  public void enableConsoleReporter(TimeDuration consoleReportRate) {}

  /**
   * Every current metric as {@code prefix.name -> value}: counters as counts, timers as
   * {@code .count} and {@code .totalNanos}, gauges as their current value.
   */
  public static Map<String, Object> snapshot() {
    Map<String, Object> values = new TreeMap<>();
    for (RatisMetricRegistry registry : MetricRegistries.global().getMetricRegistries()) {
      if (registry instanceof Registry r) {
        r.collect(values);
      }
    }
    return values;
  }

  /** One component's metrics. */
  private static final class Registry implements RatisMetricRegistry {
    private final MetricRegistryInfo info;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Supplier<?>> gauges = new ConcurrentHashMap<>();

    Registry(MetricRegistryInfo info) {
      this.info = info;
    }

    @Override
    public Timekeeper timer(String name) {
      return timers.computeIfAbsent(name, n -> new Timer());
    }

    @Override
    public LongCounter counter(String name) {
      return counters.computeIfAbsent(name, n -> new Counter());
    }

    @Override
    public boolean remove(String name) {
      return counters.remove(name) != null | timers.remove(name) != null | gauges.remove(name) != null;
    }

    @Override
    public <T> void gauge(String name, Supplier<Supplier<T>> gaugeSupplier) {
      gauges.put(name, gaugeSupplier.get());
    }

    @Override
    public MetricRegistryInfo getMetricRegistryInfo() {
      return info;
    }

    void collect(Map<String, Object> into) {
      String prefix = info.getPrefix() + ".";
      counters.forEach((name, c) -> into.put(prefix + name, c.getCount()));
      timers.forEach((name, t) -> {
        into.put(prefix + name + ".count", t.count.sum());
        into.put(prefix + name + ".totalNanos", t.totalNanos.sum());
      });
      gauges.forEach((name, g) -> {
        try {
          into.put(prefix + name, g.get());
        } catch (RuntimeException e) {
          into.put(prefix + name, "unavailable: " + e);
        }
      });
    }
  }

  private static final class Counter implements LongCounter {
    private final LongAdder value = new LongAdder();

    @Override
    public void inc(long n) {
      value.add(n);
    }

    @Override
    public void dec(long n) {
      value.add(-n);
    }

    @Override
    public long getCount() {
      return value.sum();
    }
  }

  private static final class Timer implements Timekeeper {
    final LongAdder count = new LongAdder();
    final LongAdder totalNanos = new LongAdder();

    @Override
    public Context time() {
      long start = System.nanoTime();
      return () -> {
        long elapsed = System.nanoTime() - start;
        count.increment();
        totalNanos.add(elapsed);
        return elapsed;
      };
    }
  }
}
