package dev.orch.agent.image;

import java.time.Duration;

/**
 * When a node removes images no task uses, as kubelet's image GC: once the file system of the
 * image store is at least {@code highPercent} full, unused images are removed least recently used
 * first until it is at most {@code lowPercent} full; an image used (or pulled) less than {@code
 * minAge} ago is kept.
 *
 * @param highPercent usage (0-100) at which collection starts; 100 disables it
 * @param lowPercent usage collection aims for, at most highPercent
 * @param minAge how long an image stays after its last use, whatever the usage
 * @param period how often usage is checked
 */
public record ImageGcPolicy(int highPercent, int lowPercent, Duration minAge, Duration period) {
  public static final ImageGcPolicy DEFAULT = new ImageGcPolicy(85, 80, Duration.ofMinutes(2), Duration.ofMinutes(1));

  public ImageGcPolicy {
    if (highPercent < 0 || highPercent > 100 || lowPercent < 0 || lowPercent > highPercent) {
      throw new IllegalArgumentException("image GC thresholds must satisfy 0 <= low <= high <= 100, got low "
          + lowPercent + " and high " + highPercent);
    }
    if (minAge.isNegative() || period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("image GC needs a minimum age >= 0 and a period > 0");
    }
  }
}
