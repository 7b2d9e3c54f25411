package dev.orch.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A grouped horizontal bar chart of medians as a standalone SVG: one group per scenario, one bar per system. */
public final class BarChart {
  static final String[] COLORS = {"#2b6cb0", "#c05621", "#2f855a", "#6b46c1"};

  private BarChart() {}

  /** {@code figures}: scenario → system → figures in seconds; bars show the medians, to a shared scale. */
  public static String svg(String title, Map<String, Map<String, List<Double>>> figures) {
    double max = figures.values().stream().flatMap(m -> m.values().stream())
        .mapToDouble(BenchStats::median).max().orElse(1);
    int labelW = 230;
    int barW = 420;
    int barH = 18;
    int systems = figures.values().stream().mapToInt(Map::size).max().orElse(1);
    int groupH = systems * barH + 16;
    // Room right of the longest bar for "name 12.34 s" (about 7 px a character at 12 px).
    int nameLen = figures.values().stream().flatMap(m -> m.keySet().stream()).mapToInt(String::length).max().orElse(0);
    int textW = Math.max(90, 7 * (nameLen + 8));
    int height = 50 + figures.size() * groupH;
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
        + " font-family=\"sans-serif\" font-size=\"12\">%n", labelW + barW + textW, height));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"14\">%s</text>%n", escape(title)));
    int y = 40;
    for (Map.Entry<String, Map<String, List<Double>>> scenario : figures.entrySet()) {
      s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>%n", y + barH - 4,
          escape(scenario.getKey())));
      int i = 0;
      for (Map.Entry<String, List<Double>> system : scenario.getValue().entrySet()) {
        double m = BenchStats.median(system.getValue());
        int w = Math.max(1, (int) Math.round(m / max * barW));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n",
            labelW, y, w, barH - 2, COLORS[i % COLORS.length]));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s %.2f s</text>%n", labelW + w + 4,
            y + barH - 5, escape(system.getKey()), m));
        y += barH;
        i++;
      }
      y += 16;
    }
    return s.append("</svg>\n").toString();
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
