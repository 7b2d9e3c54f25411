package dev.orch.ctl.compose;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads one YAML document into {@link YamlNode}s with positions. Anchors and aliases are
 * followed (the parser shares the node), merge keys ({@code <<: *anchor} or a list of anchors)
 * are applied with the mapping's own keys winning, as YAML's merge type says.
 */
public final class YamlReader {
    /** Bounds alias expansion ("billion laughs"): a compose file has far fewer aliases. */
    private static final int MAX_ALIASES = 200;

    private final String file;
    private final Map<Node, YamlNode> converted = new IdentityHashMap<>();

    private YamlReader(String file) {
        this.file = file;
    }

    /** Parses {@code text}; an empty document is an empty mapping. */
    public static YamlNode read(String file, String text) {
        YamlReader reader = new YamlReader(file);
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowDuplicateKeys(true);  // reported below with their position
        options.setCodePointLimit(8 << 20);
        Node root;
        try {
            Composer composer = new Composer(new ParserImpl(new StreamReader(new StringReader(text)), options),
                    new Resolver(), options);
            root = composer.getSingleNode();
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
            throw new ComposeException(reader.at(mark), "invalid YAML: " + problem + context);
        } catch (YAMLException e) {
            throw new ComposeException(new YamlNode.Position(file, 1, 1), "invalid YAML: " + e.getMessage());
        }
        if (root == null) {
            return YamlNode.map(new YamlNode.Position(file, 1, 1), Map.of(), Map.of());
        }
        return reader.convert(root, 0);
    }

    private YamlNode.Position at(Mark mark) {
        return mark == null ? new YamlNode.Position(file, 1, 1)
                : new YamlNode.Position(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    private YamlNode convert(Node node, int depth) {
        if (depth > 200) {
            throw new ComposeException(at(node.getStartMark()), "YAML nested too deeply (over 200 levels)");
        }
        YamlNode done = converted.get(node);
        if (done != null) {
            return done;
        }
        YamlNode result;
        if (node instanceof ScalarNode s) {
            if (s.getTag().equals(Tag.NULL) && s.isPlain()) {
                result = YamlNode.nullAt(at(s.getStartMark()));
            } else {
                result = YamlNode.scalar(at(s.getStartMark()), s.getValue(), s.isPlain());
            }
        } else if (node instanceof SequenceNode seq) {
            List<YamlNode> items = new ArrayList<>();
            for (Node item : seq.getValue()) {
                items.add(convert(item, depth + 1));
            }
            result = YamlNode.list(at(seq.getStartMark()), items);
        } else {
            result = convertMap((MappingNode) node, depth);
        }
        converted.put(node, result);
        return result;
    }

    private YamlNode convertMap(MappingNode node, int depth) {
        Map<String, YamlNode> entries = new LinkedHashMap<>();
        Map<String, YamlNode.Position> keys = new LinkedHashMap<>();
        List<YamlNode> merged = new ArrayList<>();
        for (NodeTuple tuple : node.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode key)) {
                throw new ComposeException(at(keyNode.getStartMark()), "a mapping key must be a plain value");
            }
            if (key.getTag().equals(Tag.MERGE) || (key.isPlain() && key.getValue().equals("<<"))) {
                YamlNode value = convert(tuple.getValueNode(), depth + 1);
                if (value.isMap()) {
                    merged.add(value);
                } else if (value.isList() && value.items().stream().allMatch(YamlNode::isMap)) {
                    merged.addAll(value.items());
                } else {
                    throw new ComposeException(value.position(),
                            "a merge key (<<) needs a mapping or a list of mappings, e.g. <<: *defaults");
                }
                continue;
            }
            String name = key.getValue();
            if (entries.containsKey(name)) {
                throw new ComposeException(at(key.getStartMark()), "key \"" + name + "\" is given twice in this mapping");
            }
            entries.put(name, convert(tuple.getValueNode(), depth + 1));
            keys.put(name, at(key.getStartMark()));
        }
        // Merged mappings fill in keys the mapping does not have; earlier ones win over later ones.
        for (YamlNode source : merged) {
            for (var e : source.entries().entrySet()) {
                if (!entries.containsKey(e.getKey())) {
                    entries.put(e.getKey(), e.getValue());
                    keys.put(e.getKey(), source.keyPosition(e.getKey()));
                }
            }
        }
        return YamlNode.map(at(node.getStartMark()), entries, keys);
    }
}
