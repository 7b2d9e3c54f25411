package dev.orch.ctl.compose;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Compose variable substitution in every scalar value (not in keys): {@code $VAR},
 * {@code ${VAR}}, {@code ${VAR:-default}} (unset or empty), {@code ${VAR-default}} (unset),
 * {@code ${VAR:?error}}, {@code ${VAR?error}}, {@code ${VAR:+alt}}, {@code ${VAR+alt}} and
 * {@code $$} for a literal dollar. Defaults may hold further substitutions. An unset variable
 * without a default becomes empty, with one warning per variable, as docker does.
 */
public final class Interpolation {
    private final Function<String, String> variables;
    private final Set<String> unset = new LinkedHashSet<>();

    public Interpolation(Function<String, String> variables) {
        this.variables = variables;
    }

    /** Variables that were used but not set, in order of first use. */
    public Set<String> unsetVariables() {
        return unset;
    }

    public YamlNode apply(YamlNode node) {
        switch (node.kind()) {
            case SCALAR:
                return node.text().indexOf('$') < 0 ? node : node.withText(substitute(node.text(), node.position()));
            case LIST:
                return node.withItems(node.items().stream().map(this::apply).toList());
            case MAP: {
                Map<String, YamlNode> entries = new LinkedHashMap<>();
                node.entries().forEach((k, v) -> entries.put(k, k.startsWith("x-") ? v : apply(v)));
                return node.withEntries(entries);
            }
            default:
                return node;
        }
    }

    String substitute(String text, YamlNode.Position at) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 >= text.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = text.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '{') {
                int end = closingBrace(text, i + 2);
                if (end < 0) {
                    throw new ComposeException(at, "invalid interpolation \"" + text.substring(i)
                            + "\": a ${ has no closing }; write $$ for a literal $");
                }
                out.append(braced(text.substring(i + 2, end), at));
                i = end + 1;
            } else if (isNameStart(next)) {
                int end = i + 1;
                while (end < text.length() && isNamePart(text.charAt(end))) {
                    end++;
                }
                out.append(lookup(text.substring(i + 1, end)));
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private String braced(String body, YamlNode.Position at) {
        int n = 0;
        while (n < body.length() && isNamePart(body.charAt(n))) {
            n++;
        }
        String name = body.substring(0, n);
        if (name.isEmpty() || !isNameStart(name.charAt(0))) {
            throw invalid(body, at);
        }
        String rest = body.substring(n);
        String value = variables.apply(name);
        if (rest.isEmpty()) {
            return value == null ? lookup(name) : value;
        }
        boolean colon = rest.startsWith(":");
        String op = colon ? rest.substring(0, Math.min(2, rest.length())) : rest.substring(0, 1);
        String arg = rest.substring(op.length());
        boolean missing = value == null || (colon && value.isEmpty());
        switch (op) {
            case ":-", "-":
                return missing ? substitute(arg, at) : value;
            case ":?", "?":
                if (missing) {
                    String message = substitute(arg, at);
                    throw new ComposeException(at, "required variable " + name + " is "
                            + (value == null ? "not set" : "empty") + (message.isEmpty() ? "" : ": " + message)
                            + "; set it in the environment or in .env");
                }
                return value;
            case ":+", "+":
                return missing ? "" : substitute(arg, at);
            default:
                throw invalid(body, at);
        }
    }

    private String lookup(String name) {
        String value = variables.apply(name);
        if (value == null) {
            unset.add(name);
            return "";
        }
        return value;
    }

    private static ComposeException invalid(String body, YamlNode.Position at) {
        return new ComposeException(at, "invalid interpolation \"${" + body + "}\": use ${VAR}, ${VAR:-default}, "
                + "${VAR-default}, ${VAR:?error} or $$ for a literal $");
    }

    /** Index of the brace closing one opened before {@code from}, counting nested ${...}. */
    private static int closingBrace(String text, int from) {
        int depth = 1;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' && i > 0 && text.charAt(i - 1) == '$') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isNameStart(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || (c >= '0' && c <= '9');
    }

    /** Reads a .env file: KEY=VALUE lines, # comments, optional quotes, optional "export ". */
    public static Map<String, String> parseEnvFile(String file, List<String> lines) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring(7).strip();
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? line : line.substring(0, eq).strip();
            if (key.isEmpty() || !isNameStart(key.charAt(0)) || !key.chars().allMatch(ch -> isNamePart((char) ch)
                    || ch == '.' || ch == '-')) {
                throw new ComposeException(new YamlNode.Position(file, i + 1, 1),
                        "invalid line in env file: \"" + lines.get(i) + "\"; use KEY=VALUE");
            }
            if (eq < 0) {
                continue;  // a bare name takes nothing from the file
            }
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            } else {
                int comment = value.indexOf(" #");
                if (comment >= 0) {
                    value = value.substring(0, comment).stripTrailing();
                }
            }
            values.put(key, value);
        }
        return values;
    }
}
