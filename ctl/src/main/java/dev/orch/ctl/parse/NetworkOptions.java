package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;
import dev.orch.proto.EndpointMode;
import dev.orch.proto.NetworkAttachmentConfig;
import dev.orch.proto.NetworkMode;
import dev.orch.proto.PortConfig;
import dev.orch.proto.PortProtocol;
import dev.orch.proto.PublishMode;
import java.util.List;
import java.util.Locale;

/**
 * Parses docker's networking options of {@code service create/update}: {@code -p/--publish} in
 * the short ({@code 8080:80[/udp]}, {@code 80}) and long ({@code published=8080,target=80,
 * protocol=udp,mode=host}) forms, {@code --network NAME|name=NAME,alias=A} and {@code --endpoint-mode}.
 */
public final class NetworkOptions {
    private NetworkOptions() {
    }

    /** One {@code -p} value. */
    public static PortConfig port(String option, String value) {
        String v = value.strip();
        if (v.contains("=")) {
            return longPort(option, value);
        }
        PortConfig.Builder p = PortConfig.newBuilder();
        String ports = v;
        int slash = v.indexOf('/');
        if (slash >= 0) {
            p.setProtocol(protocol(option, value, v.substring(slash + 1)));
            ports = v.substring(0, slash);
        }
        int colon = ports.indexOf(':');
        if (colon >= 0) {
            p.setPublished(number(option, value, ports.substring(0, colon)));
            p.setTarget(number(option, value, ports.substring(colon + 1)));
        } else {
            p.setTarget(number(option, value, ports));
        }
        return p.build();
    }

    private static PortConfig longPort(String option, String value) {
        PortConfig.Builder p = PortConfig.newBuilder();
        boolean target = false;
        for (String part : value.strip().split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw bad(option, value);
            }
            String key = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String val = part.substring(eq + 1).strip();
            switch (key) {
                case "published" -> p.setPublished(number(option, value, val));
                case "target" -> {
                    p.setTarget(number(option, value, val));
                    target = true;
                }
                case "protocol" -> p.setProtocol(protocol(option, value, val));
                case "mode" -> p.setMode(switch (val.toLowerCase(Locale.ROOT)) {
                    case "ingress" -> PublishMode.PUBLISH_INGRESS;
                    case "host" -> PublishMode.PUBLISH_HOST;
                    default -> throw new UsageException("invalid " + option + " \"" + value
                            + "\": mode is ingress (every node) or host (the task's node)");
                });
                default -> throw new UsageException("invalid " + option + " \"" + value + "\": unknown key \"" + key
                        + "\"; use published, target, protocol and mode");
            }
        }
        if (!target) {
            throw new UsageException("invalid " + option + " \"" + value + "\": target= is missing "
                    + "(e.g. published=8080,target=80)");
        }
        return p.build();
    }

    private static PortProtocol protocol(String option, String value, String protocol) {
        return switch (protocol.toLowerCase(Locale.ROOT)) {
            case "tcp" -> PortProtocol.PROTO_TCP;
            case "udp" -> PortProtocol.PROTO_UDP;
            default -> throw new UsageException("invalid " + option + " \"" + value + "\": protocol is tcp or udp");
        };
    }

    private static int number(String option, String value, String text) {
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 1 && n <= 65535) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("invalid " + option + " \"" + value + "\": \"" + text + "\" is not a port (1-65535)");
    }

    private static UsageException bad(String option, String value) {
        return new UsageException("invalid " + option + " \"" + value + "\": use PUBLISHED:TARGET[/udp] or "
                + "published=8080,target=80[,protocol=udp][,mode=host]");
    }

    /** A network mode named by {@code --network}: host and none, else null (a network name). */
    public static NetworkMode mode(String value) {
        return switch (value.strip()) {
            case "host" -> NetworkMode.NETWORK_MODE_HOST;
            case "none" -> NetworkMode.NETWORK_MODE_NONE;
            default -> null;
        };
    }

    /** One {@code --network} value naming a network: {@code NAME} or {@code name=NAME,alias=A,...}. */
    public static NetworkAttachmentConfig network(String option, String value) {
        String v = value.strip();
        if (v.isEmpty()) {
            throw new UsageException(option + " is empty: give a network name (orchctl network ls)");
        }
        if (!v.contains("=")) {
            return NetworkAttachmentConfig.newBuilder().setTarget(v).build();
        }
        NetworkAttachmentConfig.Builder c = NetworkAttachmentConfig.newBuilder();
        for (String part : v.split(",")) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq).strip();
            String val = eq < 0 ? "" : part.substring(eq + 1).strip();
            switch (key) {
                case "name" -> c.setTarget(val);
                case "alias" -> c.addAliases(val);
                default -> throw new UsageException("invalid " + option + " \"" + value + "\": unknown key \"" + key
                        + "\"; use name=NETWORK[,alias=NAME]");
            }
        }
        if (c.getTarget().isEmpty()) {
            throw new UsageException("invalid " + option + " \"" + value + "\": name= is missing");
        }
        return c.build();
    }

    /** The networks and mode of {@code --network} values: either one mode or network names. */
    public static NetworkMode modeOf(List<String> values) {
        NetworkMode mode = NetworkMode.NETWORK_MODE_DEFAULT;
        for (String v : values) {
            NetworkMode m = mode(v);
            if (m != null) {
                if (values.size() > 1) {
                    throw new UsageException("--network " + v.strip() + " cannot be combined with other networks");
                }
                mode = m;
            }
        }
        return mode;
    }

    public static EndpointMode endpointMode(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "vip" -> EndpointMode.ENDPOINT_VIP;
            case "dnsrr" -> EndpointMode.ENDPOINT_DNSRR;
            default -> throw new UsageException("invalid --endpoint-mode \"" + value + "\": use vip or dnsrr");
        };
    }
}
