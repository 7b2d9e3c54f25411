package dev.orch.ctl.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A table laid out as docker's CLI does: uppercase headers, each column as wide as its widest
 * cell, columns separated by three spaces, no trailing spaces.
 */
public final class Table {
    static final String GAP = "   ";

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = Arrays.asList(headers);
    }

    /** Adds a row; missing cells are blank and null cells print as blank. */
    public Table row(String... cells) {
        List<String> row = new ArrayList<>(headers.size());
        for (int i = 0; i < headers.size(); i++) {
            String cell = i < cells.length ? cells[i] : null;
            row.add(cell == null ? "" : cell);
        }
        rows.add(row);
        return this;
    }

    public String render() {
        int[] widths = new int[headers.size()];
        measure(headers, widths);
        rows.forEach(row -> measure(row, widths));
        StringBuilder text = new StringBuilder();
        appendLine(text, headers, widths);
        rows.forEach(row -> appendLine(text, row, widths));
        return text.toString();
    }

    public void print(PrintWriter out) {
        out.print(render());
        out.flush();
    }

    private static void measure(List<String> cells, int[] widths) {
        for (int i = 0; i < widths.length; i++) {
            widths[i] = Math.max(widths[i], cells.get(i).length());
        }
    }

    private static void appendLine(StringBuilder text, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            String cell = cells.get(i);
            line.append(cell);
            if (i < widths.length - 1) {
                line.append(" ".repeat(widths[i] - cell.length())).append(GAP);
            }
        }
        text.append(line.toString().stripTrailing()).append('\n');
    }
}
