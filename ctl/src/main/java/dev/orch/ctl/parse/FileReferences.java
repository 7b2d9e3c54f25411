package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;
import dev.orch.proto.FileReference;

/**
 * {@code --secret} and {@code --config} values as docker takes them: {@code NAME}, or
 * {@code source=NAME,target=PATH,uid=N,gid=N,mode=0440} (src and source are the same key).
 */
public final class FileReferences {
    private FileReferences() {
    }

    public static FileReference parse(String option, String value) {
        FileReference.Builder ref = FileReference.newBuilder();
        if (!value.contains("=")) {
            return ref.setName(requireName(option, value, value)).build();
        }
        for (String field : value.split(",", -1)) {
            int eq = field.indexOf('=');
            if (eq <= 0) {
                throw bad(option, value, "\"" + field + "\" is not KEY=VALUE");
            }
            String key = field.substring(0, eq).strip();
            String v = field.substring(eq + 1).strip();
            switch (key) {
                case "source", "src" -> ref.setName(v);
                case "target" -> ref.setTarget(v);
                case "uid" -> ref.setUid(id(option, value, "uid", v));
                case "gid" -> ref.setGid(id(option, value, "gid", v));
                case "mode" -> ref.setMode(mode(option + " " + value, v));
                default -> throw bad(option, value, "unknown key \"" + key + "\" (use source, target, uid, gid, mode)");
            }
        }
        requireName(option, value, ref.getName());
        return ref.build();
    }

    /** Permission bits in octal (0440, 440) as docker's CLI reads them. */
    public static int mode(String what, String v) {
        try {
            int mode = Integer.parseInt(v, 8);
            if (mode < 0 || mode > 07777) {
                throw new NumberFormatException();
            }
            return mode;
        } catch (NumberFormatException e) {
            throw new UsageException("invalid mode \"" + v + "\" in " + what
                    + ": give octal permission bits such as 0444 or 0400");
        }
    }

    private static int id(String option, String value, String key, String v) {
        try {
            int id = Integer.parseInt(v);
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw bad(option, value, key + " \"" + v + "\" is not a number (e.g. " + key + "=1000)");
        }
    }

    private static String requireName(String option, String value, String name) {
        if (name.isBlank()) {
            throw bad(option, value, "no source: name the " + option.substring(2) + " (e.g. source=db_password)");
        }
        return name;
    }

    private static UsageException bad(String option, String value, String problem) {
        return new UsageException("invalid " + option + " \"" + value + "\": " + problem
                + "; use NAME or source=NAME,target=PATH,uid=N,gid=N,mode=0440");
    }
}
