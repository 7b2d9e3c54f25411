package dev.orch.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The mount table of this process's mount namespace, from {@code /proc/self/mountinfo}. */
final class MountInfo {

  record Mount(Path mountPoint, String fsType, String superOptions) {}

  private MountInfo() {}

  static List<Mount> self() throws IOException {
    return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")));
  }

  static List<Mount> parse(List<String> lines) {
    List<Mount> mounts = new ArrayList<>();
    for (String line : lines) {
      // Optional fields sit between the mount options and " - ": split there, not by position.
      int dash = line.indexOf(" - ");
      if (dash < 0) {
        continue;
      }
      String[] pre = line.substring(0, dash).split(" ");
      String[] post = line.substring(dash + 3).split(" ");
      if (pre.length < 5 || post.length < 3) {
        continue;
      }
      mounts.add(new Mount(Path.of(unescape(pre[4])), post[0], post[2]));
    }
    return mounts;
  }

  /** Mount points at or below {@code dir}, deepest last (the order they were mounted in). */
  static List<Path> mountPointsUnder(Path dir) throws IOException {
    List<Path> found = new ArrayList<>();
    for (Mount m : self()) {
      if (m.mountPoint().startsWith(dir)) {
        found.add(m.mountPoint());
      }
    }
    return found;
  }

  /** mountinfo escapes space, tab, newline and backslash as three octal digits. */
  private static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
