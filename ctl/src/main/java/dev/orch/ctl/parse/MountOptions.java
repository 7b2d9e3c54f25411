package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;
import dev.orch.proto.Mount;
import dev.orch.proto.MountType;
import java.util.Locale;

/**
 * {@code --mount type=volume|bind|tmpfs,src=..,dst=..[,readonly][,tmpfs-size=64m]}, docker's
 * syntax (also {@code source}, {@code target}/{@code destination}, {@code ro}, {@code
 * readonly=true|false}). Form only: the manager checks names and paths, the node checks that a
 * bind source exists.
 */
public final class MountOptions {
    private MountOptions() {
    }

    public static Mount parse(String option, String value) {
        Mount.Builder m = Mount.newBuilder().setType(MountType.MOUNT_VOLUME);
        boolean typed = false;
        for (String field : value.split(",")) {
            String f = field.strip();
            if (f.isEmpty()) {
                continue;
            }
            int eq = f.indexOf('=');
            String key = (eq < 0 ? f : f.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            String v = eq < 0 ? null : f.substring(eq + 1).strip();
            switch (key) {
                case "type" -> {
                    typed = true;
                    m.setType(switch (String.valueOf(v).toLowerCase(Locale.ROOT)) {
                        case "volume" -> MountType.MOUNT_VOLUME;
                        case "bind" -> MountType.MOUNT_BIND;
                        case "tmpfs" -> MountType.MOUNT_TMPFS;
                        default -> throw bad(option, value, "type must be volume, bind or tmpfs");
                    });
                }
                case "source", "src" -> m.setSource(required(option, value, key, v));
                case "target", "destination", "dst" -> m.setTarget(required(option, value, key, v));
                case "readonly", "ro" -> m.setReadOnly(flag(option, value, key, v));
                case "tmpfs-size" -> m.setTmpfsSizeBytes(MemorySize.parse(option + " tmpfs-size", required(option, value, key, v)));
                default -> throw bad(option, value, "unknown key \"" + key
                        + "\"; use type, src, dst, readonly and tmpfs-size");
            }
        }
        if (!typed) {
            throw bad(option, value, "give type=volume, type=bind or type=tmpfs");
        }
        if (m.getTarget().isEmpty()) {
            throw bad(option, value, "give the path in the container with dst=/path");
        }
        return m.build();
    }

    private static String required(String option, String value, String key, String v) {
        if (v == null || v.isEmpty()) {
            throw bad(option, value, key + " needs a value");
        }
        return v;
    }

    private static boolean flag(String option, String value, String key, String v) {
        if (v == null) {
            return true;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw bad(option, value, key + " is true or false");
        };
    }

    private static UsageException bad(String option, String value, String why) {
        return new UsageException("invalid " + option + " \"" + value + "\": " + why
                + " (e.g. type=volume,src=data,dst=/data)");
    }
}
