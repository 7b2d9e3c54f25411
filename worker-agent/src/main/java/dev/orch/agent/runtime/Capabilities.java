package dev.orch.agent.runtime;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Linux capability names and the bounding set a container gets: Docker's default set minus
 * MKNOD, with the service's drops and then its adds applied (as docker does, ALL allowed in both).
 */
public final class Capabilities {
  private static final List<String> NAMES = List.of(
      "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
      "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
      "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
      "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
      "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
      "CHECKPOINT_RESTORE");

  /**
   * Docker's default set without MKNOD: Docker pairs MKNOD with a device cgroup allow-list, which
   * orch writes only on cgroup v1 (v2 needs an eBPF program); without MKNOD no container can make
   * a node for a host disk. {@code --cap-add MKNOD} gives it back.
   */
  static final List<String> DEFAULT = List.of("CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "NET_RAW", "SETGID",
      "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE");

  private static final Map<String, Integer> NUMBERS = new TreeMap<>();

  static {
    for (int i = 0; i < NAMES.size(); i++) {
      NUMBERS.put(NAMES.get(i), i);
    }
  }

  private Capabilities() {}

  /**
   * The capability's canonical name (NET_ADMIN for net_admin or CAP_NET_ADMIN), ALL, or null when
   * it is not one.
   */
  public static String canonical(String name) {
    String n = name.strip().toUpperCase(Locale.ROOT);
    if (n.startsWith("CAP_")) {
      n = n.substring(4);
    }
    return n.equals("ALL") || NUMBERS.containsKey(n) ? n : null;
  }

  /** Why {@code name} (of option {@code option}) is refused, or null when it is a capability or ALL. */
  public static String refusal(String option, String name) {
    return canonical(name) != null ? null : "unknown capability \"" + name + "\" in " + option
        + ": use a name from capabilities(7) such as NET_ADMIN or CAP_SYS_TIME, or ALL";
  }

  /** The bounding set as a bit mask: the default, minus {@code drop}, plus {@code add}. */
  public static long boundingSet(List<String> add, List<String> drop) {
    long mask = maskOf(DEFAULT);
    mask &= ~maskOf(drop);
    mask |= maskOf(add);
    return mask;
  }

  private static long maskOf(List<String> names) {
    long mask = 0;
    for (String name : names) {
      String n = canonical(name);
      if (n == null) {
        throw new IllegalArgumentException(refusal("the capability list", name));
      }
      mask |= n.equals("ALL") ? (1L << NAMES.size()) - 1 : 1L << NUMBERS.get(n);
    }
    return mask;
  }
}
