package dev.orch.agent.runtime;

import java.util.List;
import java.util.Locale;

/** Linux signal names and numbers (x86_64 and most architectures), for stop signals. */
public final class Signals {
  /** Index = signal number; 0 is no signal. Real-time signals are not offered. */
  private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
      "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
      "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

  public static final int SIGTERM = 15;
  public static final int SIGKILL = 9;

  private Signals() {}

  /** The number of a signal given as SIGTERM, TERM or 15; -1 when it is none. */
  public static int number(String signal) {
    String s = signal.strip().toUpperCase(Locale.ROOT);
    if (s.matches("\\d{1,2}")) {
      int n = Integer.parseInt(s);
      return n > 0 && n < NAMES.size() ? n : -1;
    }
    if (s.startsWith("SIG")) {
      s = s.substring(3);
    }
    int n = NAMES.indexOf(s);
    return n > 0 ? n : -1;
  }

  /** The signal's name, e.g. SIGTERM. */
  public static String name(int number) {
    return number > 0 && number < NAMES.size() ? "SIG" + NAMES.get(number) : Integer.toString(number);
  }
}
