package dev.orch.ctl.compose;

import dev.orch.ctl.parse.MemorySize;
import dev.orch.proto.Mount;
import dev.orch.proto.MountType;
import dev.orch.proto.NetworkAttachmentConfig;
import dev.orch.proto.NetworkSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The top-level networks and volumes of a stack and how services use them. A stack's own
 * objects are named STACK_name (or by their {@code name} key); external ones are only referred
 * to. A service that names no network joins STACK_default, an overlay network made for the
 * stack, as docker does. Volumes are node-local and created on first use, so a stack sends no
 * volume objects, only the names its mounts use.
 */
final class StackResources {
    private static final String DEFAULT = "default";

    private final String stack;
    private final Function<String, Path> paths;
    private final Consumer<String> warnings;
    /** Compose key to the network's object name; null spec for an external network. */
    private final Map<String, String> networkNames = new LinkedHashMap<>();
    private final Map<String, NetworkSpec> ownNetworks = new LinkedHashMap<>();
    private final Map<String, NetworkSpec> used = new LinkedHashMap<>();
    private final Map<String, String> volumeNames = new LinkedHashMap<>();

    StackResources(String stack, YamlNode root, Function<String, Path> paths, Consumer<String> warnings) {
        this.stack = stack;
        this.paths = paths;
        this.warnings = warnings;
        if (root.has("networks")) {
            Values.map("networks", root.get("networks")).entries().forEach(this::network);
        }
        if (root.has("volumes")) {
            Values.map("volumes", root.get("volumes")).entries().forEach(this::volume);
        }
    }

    /** The stack's own networks that its services use (an unused one is not made, as in docker). */
    List<NetworkSpec> networks() {
        return List.copyOf(used.values());
    }

    private void network(String key, YamlNode raw) {
        YamlNode def = Values.map("network " + key, raw);
        ObjectName name = new ObjectName(stack, key);
        NetworkSpec.Builder spec = NetworkSpec.newBuilder().setDriver("overlay");
        for (var e : def.entries().entrySet()) {
            String k = e.getKey();
            YamlNode v = e.getValue();
            String where = "network " + key + "." + k;
            if (name.accept(k, v, where)) {
                continue;
            }
            switch (k) {
                case "driver" -> {
                    String driver = Values.string(where, v).strip();
                    if (!driver.equals("overlay") && !driver.equals("bridge")) {
                        throw new ComposeException(v.position(), "network " + key + " has driver \"" + driver
                                + "\": use overlay (across nodes) or bridge (one node)");
                    }
                    spec.setDriver(driver);
                }
                case "internal" -> spec.setInternal(Values.bool(where, v));
                case "attachable" -> spec.setAttachable(Values.bool(where, v));
                case "labels" -> Values.keyValues(where, v).forEach((lk, lv) -> spec.putLabels(lk, lv == null ? ""
                        : lv));
                case "ipam" -> ipam(key, Values.map(where, v), spec);
                case "driver_opts" -> warnings.accept("ignoring driver_opts of network " + key
                        + ": orch's networks take no driver options");
                case "enable_ipv6" -> {
                    if (Values.bool(where, v)) {
                        throw new ComposeException(v.position(), "network " + key + " enables IPv6, which orch's"
                                + " networks do not have; remove enable_ipv6");
                    }
                }
                default -> {
                    if (!k.startsWith("x-")) {
                        throw new ComposeException(def.keyPosition(k), "unknown key \"" + k + "\" in network " + key
                                + ": use driver, internal, attachable, ipam, labels, external or name");
                    }
                }
            }
        }
        networkNames.put(key, name.objectName());
        if (!name.external()) {
            ownNetworks.put(key, spec.setName(name.objectName()).build());
        }
    }

    private void ipam(String key, YamlNode ipam, NetworkSpec.Builder spec) {
        for (var e : ipam.entries().entrySet()) {
            String k = e.getKey();
            YamlNode v = e.getValue();
            switch (k) {
                case "driver" -> {
                    if (!Values.string("ipam.driver", v).strip().equals("default")) {
                        warnings.accept("ignoring ipam.driver of network " + key + ": orch allocates addresses"
                                + " itself");
                    }
                }
                case "config" -> {
                    if (!v.isList()) {
                        throw new ComposeException(v.position(), "network " + key + ": ipam.config must be a list");
                    }
                    for (YamlNode c : v.items()) {
                        ipamConfig(key, Values.map("ipam.config item", c), spec);
                    }
                }
                case "options" -> warnings.accept("ignoring ipam.options of network " + key);
                default -> throw new ComposeException(ipam.keyPosition(k), "network " + key + ": ipam." + k
                        + " is not supported; use ipam.config with subnet and gateway");
            }
        }
    }

    /** One IPv4 subnet per network; IPv6 ones are left out with a warning, as orch's networks have none. */
    private void ipamConfig(String key, YamlNode c, NetworkSpec.Builder spec) {
        String subnet = c.has("subnet") ? Values.string("ipam.config.subnet", c.get("subnet")).strip() : "";
        if (subnet.contains(":")) {
            warnings.accept("ignoring IPv6 subnet " + subnet + " of network " + key + ": networks are IPv4 only");
            return;
        }
        if (!spec.getSubnet().isEmpty()) {
            throw new ComposeException(c.position(), "network " + key + " has a second IPv4 subnet: a network has"
                    + " one subnet; keep one");
        }
        c.entries().forEach((ck, cv) -> {
            switch (ck) {
                case "subnet" -> spec.setSubnet(subnet);
                case "gateway" -> spec.setGateway(Values.string("ipam.config.gateway", cv).strip());
                case "ip_range" -> warnings.accept("ignoring ipam.config.ip_range of network " + key
                        + ": addresses come from the whole subnet");
                default -> throw new ComposeException(c.keyPosition(ck), "network " + key + ": ipam.config." + ck
                        + " is not supported; give subnet and gateway");
            }
        });
    }

    private void volume(String key, YamlNode raw) {
        YamlNode def = Values.map("volume " + key, raw);
        ObjectName name = new ObjectName(stack, key);
        for (var e : def.entries().entrySet()) {
            String k = e.getKey();
            YamlNode v = e.getValue();
            String where = "volume " + key + "." + k;
            if (name.accept(k, v, where)) {
                continue;
            }
            switch (k) {
                case "driver" -> {
                    if (!Values.string(where, v).strip().equals("local")) {
                        throw new ComposeException(v.position(), "volume " + key + " has driver \"" + v.text()
                                + "\": orch's volumes are local directories on each node; use driver: local");
                    }
                }
                case "driver_opts" -> throw new ComposeException(def.keyPosition(k), "volume " + key + " has"
                        + " driver_opts, which orch's local volumes do not take (no NFS or device mounts); remove them"
                        + " or use a bind mount of a path the node has mounted");
                case "labels" -> warnings.accept("ignoring labels of volume " + key + ": volumes carry no labels");
                default -> {
                    if (!k.startsWith("x-")) {
                        throw new ComposeException(def.keyPosition(k), "unknown key \"" + k + "\" in volume " + key
                                + ": use driver, external, name or labels");
                    }
                }
            }
        }
        volumeNames.put(key, name.objectName());
    }

    /** The service's networks; none named means the stack's default network. */
    List<NetworkAttachmentConfig> serviceNetworks(String service, YamlNode node) {
        Map<String, YamlNode> wanted = new LinkedHashMap<>();
        Map<String, YamlNode.Position> at = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            wanted.put(DEFAULT, null);
        } else if (node.isList()) {
            for (YamlNode item : node.items()) {
                wanted.put(Values.string("networks item", item), null);
                at.put(item.text(), item.position());
            }
        } else {
            YamlNode map = Values.map("networks of service " + service, node);
            map.entries().forEach((k, v) -> {
                wanted.put(k, v);
                at.put(k, map.keyPosition(k));
            });
        }
        List<NetworkAttachmentConfig> out = new ArrayList<>();
        wanted.forEach((key, settings) -> {
            NetworkAttachmentConfig.Builder c = NetworkAttachmentConfig.newBuilder().setTarget(networkName(service,
                    key, at.get(key)));
            if (settings != null && !settings.isNull()) {
                Values.map("network " + key + " of service " + service, settings).entries().forEach((k, v) -> {
                    switch (k) {
                        case "aliases" -> c.addAllAliases(Values.words("aliases", v, false));
                        case "priority" -> { }
                        default -> throw new ComposeException(settings.keyPosition(k), "network setting \"" + k
                                + "\" (service " + service + ") is not supported: addresses are allocated; use"
                                + " aliases for extra names");
                    }
                });
            }
            out.add(c.build());
        });
        return out;
    }

    private String networkName(String service, String key, YamlNode.Position at) {
        String name = networkNames.get(key);
        if (name == null && key.equals(DEFAULT)) {
            name = stack + "_" + DEFAULT;
            networkNames.put(key, name);
            ownNetworks.put(key, NetworkSpec.newBuilder().setName(name).setDriver("overlay").build());
        }
        if (name == null) {
            throw new ComposeException(at, "service " + service + " uses network \"" + key + "\", which is not"
                    + " defined: add it to the top-level networks");
        }
        if (ownNetworks.containsKey(key)) {
            used.put(key, ownNetworks.get(key));
        }
        return name;
    }

    /** The service's {@code volumes} (short and long form) and {@code tmpfs} as mounts. */
    List<Mount> mounts(String service, YamlNode node) {
        List<Mount> out = new ArrayList<>();
        YamlNode volumes = node.get("volumes");
        if (volumes != null && !volumes.isNull()) {
            if (!volumes.isList()) {
                throw new ComposeException(volumes.position(), "volumes of service " + service + " must be a list");
            }
            for (YamlNode item : volumes.items()) {
                out.add(item.isScalar() ? shortMount(service, item) : longMount(service, Values.map("volume", item)));
            }
        }
        YamlNode tmpfs = node.get("tmpfs");
        if (tmpfs != null && !tmpfs.isNull()) {
            for (String path : Values.words("tmpfs", tmpfs, false)) {
                out.add(tmpfsMount(tmpfs, path));
            }
        }
        return out;
    }

    private static Mount tmpfsMount(YamlNode at, String text) {
        String[] parts = text.strip().split(":", 2);
        Mount.Builder m = Mount.newBuilder().setType(MountType.MOUNT_TMPFS).setTarget(parts[0]);
        if (parts.length == 2) {
            for (String option : parts[1].split(",")) {
                if (option.startsWith("size=")) {
                    m.setTmpfsSizeBytes(Values.parse(at, () -> MemorySize.parse("tmpfs size", option.substring(5))));
                } else if (!option.equals("rw")) {
                    throw new ComposeException(at.position(), "tmpfs option \"" + option + "\" is not supported;"
                            + " give size=SIZE only");
                }
            }
        }
        return m.build();
    }

    private Mount shortMount(String service, YamlNode item) {
        String text = item.text().strip();
        String[] parts = text.split(":", -1);
        if (parts.length == 1) {
            return Mount.newBuilder().setType(MountType.MOUNT_VOLUME).setTarget(text).build();
        }
        if (parts.length > 3) {
            throw new ComposeException(item.position(), "volume \"" + text + "\" of service " + service
                    + ": use SOURCE:TARGET[:ro]");
        }
        Mount.Builder m = Mount.newBuilder().setTarget(parts[1]);
        if (parts.length == 3) {
            for (String option : parts[2].split(",")) {
                switch (option) {
                    case "ro" -> m.setReadOnly(true);
                    case "rw" -> m.setReadOnly(false);
                    case "z", "Z", "nocopy" -> warnings.accept("ignoring volume option \"" + option + "\" (service "
                            + service + ")");
                    default -> throw new ComposeException(item.position(), "volume option \"" + option + "\" of"
                            + " service " + service + " is not supported: use ro or rw");
                }
            }
        }
        source(service, m, parts[0], isPath(parts[0]) ? MountType.MOUNT_BIND : MountType.MOUNT_VOLUME, item);
        return m.build();
    }

    private static boolean isPath(String source) {
        return source.startsWith("/") || source.startsWith(".") || source.startsWith("~");
    }

    private void source(String service, Mount.Builder m, String source, MountType type, YamlNode at) {
        m.setType(type);
        if (type == MountType.MOUNT_BIND) {
            m.setSource(paths.apply(source).toString());
        } else if (!source.isEmpty()) {
            String name = volumeNames.get(source);
            if (name == null) {
                throw new ComposeException(at.position(), "service " + service + " mounts volume \"" + source
                        + "\", which is not defined: add it to the top-level volumes");
            }
            m.setSource(name);
        }
    }

    private Mount longMount(String service, YamlNode node) {
        Mount.Builder m = Mount.newBuilder();
        String typeText = node.has("type") ? Values.string("volume type", node.get("type")).strip() : "volume";
        MountType type = switch (typeText.toLowerCase(Locale.ROOT)) {
            case "volume" -> MountType.MOUNT_VOLUME;
            case "bind" -> MountType.MOUNT_BIND;
            case "tmpfs" -> MountType.MOUNT_TMPFS;
            default -> throw new ComposeException(node.get("type").position(), "volume type \"" + typeText
                    + "\" (service " + service + ") is not supported: use volume, bind or tmpfs");
        };
        m.setType(type);
        for (var e : node.entries().entrySet()) {
            String k = e.getKey();
            YamlNode v = e.getValue();
            switch (k) {
                case "type", "consistency" -> { }
                case "source" -> source(service, m, Values.string("volume source", v), type, v);
                case "target" -> m.setTarget(Values.string("volume target", v));
                case "read_only" -> m.setReadOnly(Values.bool("volume read_only", v));
                case "tmpfs" -> Values.map("tmpfs", v).entries().forEach((tk, tv) -> {
                    if (!tk.equals("size")) {
                        throw new ComposeException(v.keyPosition(tk), "tmpfs." + tk + " (service " + service
                                + ") is not supported; give size only");
                    }
                    m.setTmpfsSizeBytes(Values.parse("tmpfs.size", tv, t -> MemorySize.parse("tmpfs.size", t)));
                });
                case "volume", "bind" -> warnings.accept("ignoring " + k + " options of a mount of service "
                        + service + " (" + String.join(", ", Values.map(k, v).entries().keySet()) + ")");
                default -> {
                    if (!k.startsWith("x-")) {
                        throw new ComposeException(node.keyPosition(k), "unknown key \"" + k + "\" in a volume of"
                                + " service " + service + ": use type, source, target, read_only or tmpfs");
                    }
                }
            }
        }
        if (!node.has("target")) {
            throw new ComposeException(node.position(), "a volume of service " + service + " has no target: give the"
                    + " path in the container");
        }
        return m.build();
    }
}
