package dev.orch.ctl.compose;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value that remembers where it was written, so that every error can name file, line and
 * column. Scalars keep their text and whether they were plain (unquoted), since a plain {@code 0440}
 * is an octal number while {@code "0440"} is a string, as in YAML 1.1 which compose files use.
 */
public final class YamlNode {
    /** Where a node starts: 1-based line and column. */
    public record Position(String file, int line, int column) {
        @Override
        public String toString() {
            return file + ":" + line + ":" + column;
        }
    }

    public enum Kind { MAP, LIST, SCALAR, NULL }

    private final Kind kind;
    private final Position position;
    private final String text;
    private final boolean plain;
    private final Map<String, YamlNode> map;
    private final Map<String, Position> keyPositions;
    private final List<YamlNode> list;

    private YamlNode(Kind kind, Position position, String text, boolean plain, Map<String, YamlNode> map,
            Map<String, Position> keyPositions, List<YamlNode> list) {
        this.kind = kind;
        this.position = position;
        this.text = text;
        this.plain = plain;
        this.map = map;
        this.keyPositions = keyPositions;
        this.list = list;
    }

    public static YamlNode scalar(Position at, String text, boolean plain) {
        return new YamlNode(Kind.SCALAR, at, text, plain, null, null, null);
    }

    public static YamlNode nullAt(Position at) {
        return new YamlNode(Kind.NULL, at, null, true, null, null, null);
    }

    public static YamlNode map(Position at, Map<String, YamlNode> entries, Map<String, Position> keyPositions) {
        return new YamlNode(Kind.MAP, at, null, false, Collections.unmodifiableMap(new LinkedHashMap<>(entries)),
                Collections.unmodifiableMap(new LinkedHashMap<>(keyPositions)), null);
    }

    public static YamlNode list(Position at, List<YamlNode> items) {
        return new YamlNode(Kind.LIST, at, null, false, null, null, List.copyOf(items));
    }

    public Kind kind() {
        return kind;
    }

    public Position position() {
        return position;
    }

    public boolean isMap() {
        return kind == Kind.MAP;
    }

    public boolean isList() {
        return kind == Kind.LIST;
    }

    public boolean isScalar() {
        return kind == Kind.SCALAR;
    }

    public boolean isNull() {
        return kind == Kind.NULL;
    }

    /** Unquoted in the file (so YAML's implicit types apply). */
    public boolean plain() {
        return plain;
    }

    /** The scalar's text; null for a null node. */
    public String text() {
        return text;
    }

    /** Entries in file order; empty for a null node (an empty mapping written as nothing). */
    public Map<String, YamlNode> entries() {
        return kind == Kind.NULL ? Map.of() : map;
    }

    public Position keyPosition(String key) {
        Position at = keyPositions == null ? null : keyPositions.get(key);
        return at == null ? position : at;
    }

    public List<YamlNode> items() {
        return kind == Kind.NULL ? List.of() : list;
    }

    public YamlNode get(String key) {
        return map == null ? null : map.get(key);
    }

    public boolean has(String key) {
        return map != null && map.containsKey(key);
    }

    public YamlNode withText(String newText) {
        return new YamlNode(kind, position, newText, plain, map, keyPositions, list);
    }

    /** A copy with {@code entries} (keys keep their positions where known). */
    public YamlNode withEntries(Map<String, YamlNode> entries) {
        Map<String, Position> positions = new LinkedHashMap<>();
        entries.forEach((k, v) -> positions.put(k, keyPositions != null && keyPositions.containsKey(k)
                ? keyPositions.get(k) : v.position()));
        return map(position, entries, positions);
    }

    public YamlNode withItems(List<YamlNode> items) {
        return list(position, new ArrayList<>(items));
    }
}
