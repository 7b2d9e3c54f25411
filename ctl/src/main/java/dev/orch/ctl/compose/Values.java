package dev.orch.ctl.compose;

import dev.orch.ctl.UsageException;
import dev.orch.ctl.parse.ShellWords;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Typed reads of compose values; a wrong type is an error at the value's position naming the key. */
final class Values {
    private Values() {
    }

    static String string(String key, YamlNode n) {
        if (!n.isScalar()) {
            throw new ComposeException(n.position(), key + " must be a string, not " + describe(n));
        }
        return n.text();
    }

    static long integer(String key, YamlNode n) {
        String t = string(key, n).strip();
        BigInteger value = Scalars.integer(t);
        if (value == null || value.signum() < 0 || value.bitLength() > 62) {
            throw new ComposeException(n.position(), key + " must be a whole number 0 or more, not \"" + t + "\"");
        }
        return value.longValue();
    }

    static boolean bool(String key, YamlNode n) {
        Object typed = n.isScalar() ? Scalars.typed(n.text().strip()) : null;
        if (!(typed instanceof Boolean b)) {
            throw new ComposeException(n.position(), key + " must be true or false, not " + describe(n));
        }
        return b;
    }

    /** Permission bits: a plain number as YAML 1.1 reads it (0440 is octal), a string as octal. */
    static int mode(String key, YamlNode n) {
        String t = string(key, n).strip();
        BigInteger value = n.plain() ? Scalars.integer(t) : null;
        try {
            int mode = value != null ? value.intValueExact() : Integer.parseInt(t, 8);
            if (mode >= 0 && mode <= 07777) {
                return mode;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // reported below
        }
        throw new ComposeException(n.position(), key + " must be permission bits such as 0444 or 0400, not \""
                + t + "\"");
    }

    /** A string or a list of strings (a string is split as a shell would split it, when {@code split}). */
    static List<String> words(String key, YamlNode n, boolean split) {
        if (n.isScalar()) {
            return split ? parse(n, () -> ShellWords.split(key, n.text())) : List.of(n.text());
        }
        if (!n.isList()) {
            throw new ComposeException(n.position(), key + " must be a string or a list of strings, not "
                    + describe(n));
        }
        List<String> out = new ArrayList<>();
        for (YamlNode item : n.items()) {
            out.add(string(key + " item", item));
        }
        return out;
    }

    /** A mapping, or a list of KEY=VALUE strings; null values stay null. */
    static Map<String, String> keyValues(String key, YamlNode n) {
        YamlNode map = n.isList() ? checkedList(key, n) : n;
        if (!map.isMap() && !map.isNull()) {
            throw new ComposeException(n.position(), key + " must be a mapping or a list of KEY=VALUE, not "
                    + describe(n));
        }
        Map<String, String> out = new LinkedHashMap<>();
        map.entries().forEach((k, v) -> {
            if (!v.isNull() && !v.isScalar()) {
                throw new ComposeException(v.position(), key + "." + k + " must be a string, number or null, not "
                        + describe(v));
            }
            out.put(k, v.isNull() ? null : v.text());
        });
        return out;
    }

    private static YamlNode checkedList(String key, YamlNode n) {
        for (YamlNode item : n.items()) {
            string(key + " item", item);
        }
        return ComposeMerge.asMap(n);
    }

    static YamlNode map(String key, YamlNode n) {
        if (!n.isMap() && !n.isNull()) {
            throw new ComposeException(n.position(), key + " must be a mapping, not " + describe(n));
        }
        return n;
    }

    /** Runs one of the command-line parsers, turning its usage error into one at {@code n}. */
    static <T> T parse(YamlNode n, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (ComposeException e) {
            throw e;
        } catch (UsageException e) {
            throw new ComposeException(n.position(), e.getMessage());
        }
    }

    static <T> T parse(String key, YamlNode n, Function<String, T> parser) {
        String text = string(key, n).strip();
        return parse(n, () -> parser.apply(text));
    }

    static String describe(YamlNode n) {
        return switch (n.kind()) {
            case MAP -> "a mapping";
            case LIST -> "a list";
            case NULL -> "empty";
            case SCALAR -> "\"" + n.text() + "\"";
        };
    }
}
