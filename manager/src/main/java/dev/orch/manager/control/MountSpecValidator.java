package dev.orch.manager.control;

import dev.orch.agent.volume.VolumeStore;
import dev.orch.proto.Mount;
import dev.orch.proto.MountType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a service's {@code --mount}s at the API edge. What only the node can know (whether a
 * bind source exists there, whether it is the node's own state) is checked by the node, which
 * rejects the task with the reason.
 */
final class MountSpecValidator {
  private MountSpecValidator() {}

  static void validate(List<Mount> mounts) {
    Set<String> targets = new HashSet<>();
    for (Mount m : mounts) {
      String t = m.getTarget();
      String what = "mount " + (t.isEmpty() ? "(no target)" : t);
      if (t.isEmpty() || !t.startsWith("/") || t.equals("/") || List.of(t.split("/")).contains("..")) {
        throw ServiceSpecValidator.invalid("invalid " + what + ": the target must be an absolute path inside the "
            + "container other than / and without '..', e.g. dst=/data");
      }
      if (!targets.add(t.replaceAll("/+$", ""))) {
        throw ServiceSpecValidator.invalid("two mounts on " + t + ": give each mount its own target");
      }
      if (m.getTypeValue() != MountType.MOUNT_TMPFS_VALUE && m.getTmpfsSizeBytes() != 0) {
        throw ServiceSpecValidator.invalid("invalid " + what + ": tmpfs-size is only for type=tmpfs");
      }
      switch (m.getTypeValue()) {
        case MountType.MOUNT_VOLUME_VALUE -> {
          String bad = m.getSource().isEmpty() ? null : VolumeStore.checkName(m.getSource());
          if (bad != null) {
            throw ServiceSpecValidator.invalid(what + ": " + bad);
          }
        }
        case MountType.MOUNT_BIND_VALUE -> {
          if (!m.getSource().startsWith("/")) {
            throw ServiceSpecValidator.invalid("invalid " + what + ": a bind mount needs an absolute host path "
                + "as its source, e.g. src=/srv/data (for a named volume use type=volume)");
          }
        }
        case MountType.MOUNT_TMPFS_VALUE -> {
          if (!m.getSource().isEmpty()) {
            throw ServiceSpecValidator.invalid("invalid " + what + ": a tmpfs mount has no source");
          }
          if (m.getTmpfsSizeBytes() < 0) {
            throw ServiceSpecValidator.invalid("invalid " + what + ": tmpfs-size must be >= 0");
          }
        }
        default -> throw ServiceSpecValidator.invalid("invalid " + what + ": unknown mount type "
            + m.getTypeValue() + "; use volume, bind or tmpfs");
      }
    }
  }
}
