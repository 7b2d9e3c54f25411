package dev.orch.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Order statistics of measured figures, as the benches print them. */
public final class BenchStats {
  private BenchStats() {}

  /** The median; the mean of the two middle values for an even count. */
  public static double median(List<Double> xs) {
    if (xs.isEmpty()) {
      throw new IllegalArgumentException("no figures");
    }
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /** The nearest-rank percentile {@code p} (0 < p <= 100): the smallest value with p % of them at or below it. */
  public static double percentile(List<Double> xs, double p) {
    if (xs.isEmpty() || !(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile " + p + " of " + xs.size() + " figures");
    }
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int rank = (int) Math.ceil(p / 100 * s.size());
    return s.get(Math.max(rank, 1) - 1);
  }

  /** cutime + cstime of this JVM: CPU of the children it has reaped (the shims), in clock ticks (USER_HZ, 100 a second). */
  public static long childrenCpuTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[13]) + Long.parseLong(f[14]); // fields 16 and 17
  }
}
