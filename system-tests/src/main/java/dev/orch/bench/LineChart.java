package dev.orch.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/**
 * A line chart of medians as a standalone SVG: one line per system, x a count (e.g. replicas), y
 * seconds, both axes linear from zero, each point labelled with its median.
 */
public final class LineChart {
  private static final int LEFT = 60;
  private static final int TOP = 40;
  private static final int WIDTH = 520;
  private static final int HEIGHT = 300;

  private LineChart() {}

  /** {@code figures}: system → x → figures in seconds; the lines join the medians. */
  public static String svg(String title, String xLabel, Map<String, SortedMap<Integer, List<Double>>> figures) {
    double maxY = figures.values().stream().flatMap(m -> m.values().stream())
        .mapToDouble(BenchStats::median).max().orElse(1);
    maxY = niceCeiling(maxY);
    int maxX = figures.values().stream().flatMap(m -> m.keySet().stream()).mapToInt(Integer::intValue).max()
        .orElse(1);
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
        + " font-family=\"sans-serif\" font-size=\"12\">%n", LEFT + WIDTH + 150, TOP + HEIGHT + 50));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"14\">%s</text>%n", BarChart.escape(title)));
    // axes, five gridlines on y, one tick per measured x
    s.append(String.format(Locale.ROOT, "<path d=\"M%d %d V%d H%d\" stroke=\"black\" fill=\"none\"/>%n",
        LEFT, TOP, TOP + HEIGHT, LEFT + WIDTH));
    for (int i = 0; i <= 5; i++) {
      double v = maxY * i / 5;
      int y = yPos(v, maxY);
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>%n",
          LEFT, y, LEFT + WIDTH, y));
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s s</text>%n", LEFT - 4,
          y + 4, trim(v)));
    }
    figures.values().stream().flatMap(m -> m.keySet().stream()).distinct().forEach(x ->
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
            xPos(x, maxX), TOP + HEIGHT + 16, x)));
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
        LEFT + WIDTH / 2, TOP + HEIGHT + 36, BarChart.escape(xLabel)));
    int i = 0;
    for (Map.Entry<String, SortedMap<Integer, List<Double>>> system : figures.entrySet()) {
      String color = BarChart.COLORS[i % BarChart.COLORS.length];
      StringBuilder path = new StringBuilder();
      int lastX = LEFT;
      int lastY = TOP + HEIGHT;
      for (Map.Entry<Integer, List<Double>> point : system.getValue().entrySet()) {
        double m = BenchStats.median(point.getValue());
        lastX = xPos(point.getKey(), maxX);
        lastY = yPos(m, maxY);
        path.append(path.length() == 0 ? "M" : " L").append(lastX).append(' ').append(lastY);
        s.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"/>%n", lastX, lastY,
            color));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%.2f</text>%n", lastX + 5,
            lastY - 5, color, m));
      }
      s.append(String.format(Locale.ROOT, "<path d=\"%s\" stroke=\"%s\" stroke-width=\"2\" fill=\"none\"/>%n",
          path, color));
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n",
          LEFT + WIDTH + 10, TOP + 14 + 18 * i, color, BarChart.escape(system.getKey())));
      i++;
    }
    return s.append("</svg>\n").toString();
  }

  private static int xPos(int x, int maxX) {
    return LEFT + (int) Math.round((double) x / maxX * WIDTH);
  }

  private static int yPos(double v, double maxY) {
    return TOP + HEIGHT - (int) Math.round(v / maxY * HEIGHT);
  }

  /** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least {@code v}. */
  static double niceCeiling(double v) {
    if (!(v > 0)) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double f : new double[] {1, 2, 2.5, 5, 10}) {
      if (f * p >= v) {
        return f * p;
      }
    }
    return 10 * p;
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
