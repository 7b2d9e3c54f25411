package dev.orch.ctl.compose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Merges a later compose file over an earlier one as docker does: mappings merge key by key,
 * scalars and most lists are replaced, lists of things with an identity (ports, secrets,
 * volumes by target, dns, capabilities, ...) are combined, and environment and labels merge as
 * mappings whichever form (list or mapping) each file wrote them in.
 */
final class ComposeMerge {
    /** Service keys whose lists are combined, keeping one entry per identity. */
    private static final Map<String, Function<YamlNode, String>> COMBINED = Map.ofEntries(
            Map.entry("ports", ComposeMerge::text),
            Map.entry("expose", ComposeMerge::text),
            Map.entry("dns", ComposeMerge::text),
            Map.entry("dns_search", ComposeMerge::text),
            Map.entry("dns_opt", ComposeMerge::text),
            Map.entry("cap_add", ComposeMerge::text),
            Map.entry("cap_drop", ComposeMerge::text),
            Map.entry("extra_hosts", ComposeMerge::text),
            Map.entry("external_links", ComposeMerge::text),
            Map.entry("security_opt", ComposeMerge::text),
            Map.entry("tmpfs", ComposeMerge::text),
            Map.entry("env_file", ComposeMerge::text),
            Map.entry("secrets", n -> n.isMap() ? text(n.get("source")) : text(n)),
            Map.entry("configs", n -> n.isMap() ? text(n.get("source")) : text(n)),
            Map.entry("volumes", ComposeMerge::volumeTarget));
    /** Keys whose value merges as a mapping even when written as a KEY=VALUE list. */
    private static final Set<String> KEY_VALUE = Set.of("environment", "labels", "args", "sysctls");

    private ComposeMerge() {
    }

    static YamlNode merge(YamlNode base, YamlNode override) {
        return mergeAt(base, override, "");
    }

    private static YamlNode mergeAt(YamlNode base, YamlNode over, String key) {
        if (KEY_VALUE.contains(key) && (base.isList() || over.isList())) {
            return mergeAt(asMap(base), asMap(over), "");
        }
        if (base.isMap() && over.isMap()) {
            Map<String, YamlNode> entries = new LinkedHashMap<>(base.entries());
            over.entries().forEach((k, v) -> entries.merge(k, v, (b, o) -> mergeAt(b, o, k)));
            return over.withEntries(entries);
        }
        if (base.isList() && over.isList() && COMBINED.containsKey(key)) {
            Function<YamlNode, String> identity = COMBINED.get(key);
            Map<String, YamlNode> byIdentity = new LinkedHashMap<>();
            base.items().forEach(n -> byIdentity.put(identity.apply(n), n));
            over.items().forEach(n -> byIdentity.put(identity.apply(n), n));
            return over.withItems(new ArrayList<>(byIdentity.values()));
        }
        return over;
    }

    /** A KEY=VALUE list as a mapping; a key without = maps to null (taken from the environment). */
    static YamlNode asMap(YamlNode node) {
        if (!node.isList()) {
            return node;
        }
        Map<String, YamlNode> entries = new LinkedHashMap<>();
        for (YamlNode item : node.items()) {
            String t = text(item);
            int eq = t.indexOf('=');
            entries.put(eq < 0 ? t : t.substring(0, eq), eq < 0 ? YamlNode.nullAt(item.position())
                    : YamlNode.scalar(item.position(), t.substring(eq + 1), false));
        }
        return YamlNode.map(node.position(), entries, Map.of());
    }

    private static String text(YamlNode n) {
        return n == null || n.text() == null ? "" : n.text();
    }

    private static String volumeTarget(YamlNode n) {
        if (n.isMap()) {
            return text(n.get("target"));
        }
        String[] parts = text(n).split(":");
        return parts.length == 1 ? parts[0] : parts[1];
    }

}
