package dev.orch.agent.runtime;

/** The size of a pseudo-terminal an exec'd command gets, in character cells. */
public record TerminalSize(int rows, int cols) {
  /** What a terminal that did not say its size gets, as docker does. */
  public static final TerminalSize DEFAULT = new TerminalSize(24, 80);

  public TerminalSize {
    if (rows < 0 || cols < 0 || rows > 0xffff || cols > 0xffff) {
      throw new IllegalArgumentException("terminal size " + rows + "x" + cols + " out of range 0..65535");
    }
  }

  /** The given size, or the default for a side that is 0 (not said). */
  public static TerminalSize orDefault(int rows, int cols) {
    return new TerminalSize(rows == 0 ? DEFAULT.rows() : rows, cols == 0 ? DEFAULT.cols() : cols);
  }
}
