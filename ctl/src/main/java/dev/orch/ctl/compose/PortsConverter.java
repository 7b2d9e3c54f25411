package dev.orch.ctl.compose;

import dev.orch.proto.PortConfig;
import dev.orch.proto.PortProtocol;
import dev.orch.proto.PublishMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A service's {@code ports}: the short form ({@code "80"}, {@code "8080:80"}, {@code "8080:80/udp"},
 * ranges such as {@code "8000-8001:80-81"}) and the long form ({@code target}, {@code published},
 * {@code protocol}, {@code mode}). Ports are published on every address of a node, so a host
 * address is refused rather than widened silently.
 */
final class PortsConverter {
    private static final int MAX_RANGE = 1000;

    private PortsConverter() {
    }

    static List<PortConfig> ports(String service, YamlNode list) {
        if (!list.isList()) {
            throw new ComposeException(list.position(), "ports of service " + service + " must be a list, not "
                    + Values.describe(list));
        }
        List<PortConfig> out = new ArrayList<>();
        for (YamlNode item : list.items()) {
            if (item.isScalar()) {
                out.addAll(shortForm(service, item));
            } else {
                out.add(longForm(service, Values.map("ports item", item)));
            }
        }
        return out;
    }

    private static List<PortConfig> shortForm(String service, YamlNode item) {
        String text = item.text().strip();
        PortProtocol protocol = PortProtocol.PROTO_TCP;
        String ports = text;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            protocol = protocol(item, text.substring(slash + 1));
            ports = text.substring(0, slash);
        }
        String[] parts = ports.split(":", -1);
        if (parts.length > 2) {
            throw new ComposeException(item.position(), "port \"" + text + "\" of service " + service + " binds a host"
                    + " address: published ports listen on every address of every node; use PUBLISHED:TARGET");
        }
        int[] target = range(item, text, parts[parts.length - 1]);
        int[] published = parts.length == 2 ? range(item, text, parts[0]) : null;
        if (published != null && published[1] - published[0] != target[1] - target[0]) {
            throw new ComposeException(item.position(), "port \"" + text + "\" of service " + service
                    + ": the published and target ranges differ in length");
        }
        List<PortConfig> out = new ArrayList<>();
        for (int i = 0; i <= target[1] - target[0]; i++) {
            PortConfig.Builder p = PortConfig.newBuilder().setTarget(target[0] + i).setProtocol(protocol);
            if (published != null) {
                p.setPublished(published[0] + i);
            }
            out.add(p.build());
        }
        return out;
    }

    private static int[] range(YamlNode item, String text, String part) {
        int dash = part.indexOf('-');
        int first = number(item, text, dash < 0 ? part : part.substring(0, dash));
        int last = dash < 0 ? first : number(item, text, part.substring(dash + 1));
        if (last < first) {
            throw new ComposeException(item.position(), "port range \"" + part + "\" ends before it starts");
        }
        if (last - first >= MAX_RANGE) {
            throw new ComposeException(item.position(), "port range \"" + part + "\" has more than " + MAX_RANGE
                    + " ports; publish fewer");
        }
        return new int[] {first, last};
    }

    private static PortConfig longForm(String service, YamlNode node) {
        PortConfig.Builder p = PortConfig.newBuilder();
        for (var e : node.entries().entrySet()) {
            String k = e.getKey();
            YamlNode v = e.getValue();
            switch (k) {
                case "target" -> p.setTarget(number(v, Values.string("ports.target", v), v.text()));
                case "published" -> {
                    String text = Values.string("ports.published", v);
                    if (!text.isBlank()) {
                        p.setPublished(number(v, text, text));
                    }
                }
                case "protocol" -> p.setProtocol(protocol(v, Values.string("ports.protocol", v)));
                case "mode" -> p.setMode(switch (Values.string("ports.mode", v).strip().toLowerCase(Locale.ROOT)) {
                    case "ingress" -> PublishMode.PUBLISH_INGRESS;
                    case "host" -> PublishMode.PUBLISH_HOST;
                    default -> throw new ComposeException(v.position(), "ports.mode must be ingress (every node) or"
                            + " host (the task's node), not \"" + v.text() + "\"");
                });
                case "host_ip" -> throw new ComposeException(node.keyPosition(k), "host_ip (service " + service
                        + ") is not supported: published ports listen on every address of every node");
                case "name", "app_protocol" -> { }
                default -> {
                    if (!k.startsWith("x-")) {
                        throw new ComposeException(node.keyPosition(k), "unknown key \"" + k + "\" in a port of"
                                + " service " + service + ": use target, published, protocol or mode");
                    }
                }
            }
        }
        if (!node.has("target")) {
            throw new ComposeException(node.position(), "a port of service " + service + " has no target: give the"
                    + " container's port (e.g. target: 80, published: 8080)");
        }
        return p.build();
    }

    private static PortProtocol protocol(YamlNode at, String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "tcp" -> PortProtocol.PROTO_TCP;
            case "udp" -> PortProtocol.PROTO_UDP;
            default -> throw new ComposeException(at.position(), "port protocol must be tcp or udp, not \""
                    + text.strip() + "\"");
        };
    }

    private static int number(YamlNode at, String whole, String text) {
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 1 && n <= 65535) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ComposeException(at.position(), "\"" + text.strip() + "\" in port \"" + whole.strip()
                + "\" is not a port number (1-65535)");
    }
}
