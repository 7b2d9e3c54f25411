package dev.orch.ctl.compose;

import com.google.protobuf.ByteString;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.DataSpec;
import dev.orch.proto.DeployStackRequest;
import dev.orch.proto.FileReference;
import dev.orch.proto.ServiceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a loaded compose project into one {@link DeployStackRequest}: services named STACK_name,
 * the file's secrets and configs read and named STACK_name (external ones only referred to).
 * Keys docker ignores give one warning each; keys orch has no feature for yet, forbidden and
 * unknown keys are errors at their position, so nothing is dropped silently.
 */
public final class StackConverter {
    /** What a deploy sends, and the warnings to print first. */
    public record Result(DeployStackRequest request, List<String> warnings) {
    }

    /** A top-level secret or config: the object name services refer to, and its spec unless external. */
    private record DataDef(String name, DataSpec spec) {
    }

    static final int MAX_DATA_BYTES = 500 * 1024;

    private final String stack;
    private final ComposeProject project;
    private final Map<String, String> environment;
    private final Map<String, List<String>> ignored = new TreeMap<>();
    private final List<String> notYet = new ArrayList<>();
    private YamlNode.Position firstNotYet;
    private final List<String> warnings = new ArrayList<>();

    private StackConverter(String stack, ComposeProject project, Map<String, String> environment) {
        this.stack = stack;
        this.project = project;
        this.environment = environment;
    }

    /** {@code environment} gives values to variables the files leave without one. */
    public static Result convert(ComposeProject project, String stack, Map<String, String> environment) {
        return new StackConverter(stack, project, environment).convert();
    }

    private Result convert() {
        YamlNode root = project.root();
        warnings.addAll(project.warnings());
        root.entries().forEach((key, value) -> {
            if (!ComposeKeys.TOP_LEVEL.contains(key) && !key.startsWith("x-")) {
                throw new ComposeException(root.keyPosition(key), "unknown top-level key \"" + key
                        + "\": use version, services, networks, volumes, secrets, configs or x-*");
            }
        });
        if (root.has("include")) {
            throw new ComposeException(root.keyPosition("include"),
                    "include is not supported; give each file with its own -c option instead");
        }
        if (root.has("name")) {
            warnings.add("ignoring the top-level name: the stack is named " + stack + " by the command line");
        }
        StackResources resources = new StackResources(stack, root, t -> path(t), warnings::add);
        Map<String, DataDef> secrets = dataDefs(root, "secrets", false);
        Map<String, DataDef> configs = dataDefs(root, "configs", true);
        YamlNode services = root.get("services");
        if (services == null || !services.isMap() || services.entries().isEmpty()) {
            throw new ComposeException(services == null ? root.position() : services.position(),
                    "the file has no services: a stack needs a services mapping with at least one service");
        }
        DeployStackRequest.Builder request = DeployStackRequest.newBuilder().setName(stack);
        services.entries().forEach((name, node) ->
                request.addServices(service(name, Values.map("service " + name, node), secrets, configs, resources)));
        request.addAllNetworks(resources.networks());
        secrets.values().stream().filter(d -> d.spec() != null).forEach(d -> request.addSecrets(d.spec()));
        configs.values().stream().filter(d -> d.spec() != null).forEach(d -> request.addConfigs(d.spec()));
        if (!notYet.isEmpty()) {
            throw new ComposeException(firstNotYet, "not supported in stack files yet: " + String.join("; ", notYet)
                    + ". Remove these keys to deploy the stack without them");
        }
        ignored.forEach((key, users) -> {
            String why = ComposeKeys.IGNORED.get(key);
            warnings.add("ignoring unsupported option \"" + key + "\" (service" + (users.size() == 1 ? " " : "s ")
                    + String.join(", ", users) + ")" + (why.isEmpty() ? "" : ": " + why));
        });
        return new Result(request.build(), List.copyOf(warnings));
    }

    private void notYet(String key, String feature, YamlNode.Position at) {
        if (firstNotYet == null) {
            firstNotYet = at;
        }
        String where = at.file().equals(firstNotYet.file()) ? at.line() + ":" + at.column() : at.toString();
        notYet.add(key + " at " + where + " (" + feature + ")");
    }

    private Map<String, DataDef> dataDefs(YamlNode root, String section, boolean config) {
        Map<String, DataDef> defs = new LinkedHashMap<>();
        if (!root.has(section)) {
            return defs;
        }
        String noun = config ? "config" : "secret";
        Values.map(section, root.get(section)).entries().forEach((key, raw) -> {
            YamlNode def = Values.map(noun + " " + key, raw);
            ObjectName name = new ObjectName(stack, key);
            DataSpec.Builder spec = DataSpec.newBuilder();
            ByteString data = null;
            for (var e : def.entries().entrySet()) {
                String k = e.getKey();
                YamlNode v = e.getValue();
                String where = noun + " " + key + "." + k;
                if (name.accept(k, v, where)) {
                    continue;
                }
                switch (k) {
                    case "file" -> data = readData(noun, key, v);
                    case "environment" -> {
                        String var = Values.string(where, v);
                        String value = environment.get(var);
                        if (value == null) {
                            throw new ComposeException(v.position(), noun + " " + key + " comes from variable " + var
                                    + ", which is not set; set it in the environment");
                        }
                        data = ByteString.copyFromUtf8(value);
                    }
                    case "content" -> {
                        if (!config) {
                            throw new ComposeException(def.keyPosition(k), "a secret cannot have content: use file");
                        }
                        data = ByteString.copyFromUtf8(Values.string(where, v));
                    }
                    case "labels" -> Values.keyValues(where, v).forEach((lk, lv) -> spec.putLabels(lk, lv == null ? ""
                            : lv));
                    case "driver", "driver_opts", "template_driver" ->
                            notYet(where, noun + " drivers and templates", def.keyPosition(k));
                    default -> {
                        if (!k.startsWith("x-")) {
                            throw new ComposeException(def.keyPosition(k), "unknown key \"" + k + "\" in " + noun + " "
                                    + key + ": use file, " + (config ? "content, " : "") + "environment, external, "
                                    + "name or labels");
                        }
                    }
                }
            }
            if (name.external()) {
                defs.put(key, new DataDef(name.objectName(), null));
                return;
            }
            if (data == null) {
                throw new ComposeException(raw.position(), noun + " " + key + " has no data: give file"
                        + (config ? ", content" : "") + " or environment, or mark it external: true");
            }
            String objectName = name.objectName();
            defs.put(key, new DataDef(objectName, spec.setName(objectName).setData(data).build()));
        });
        return defs;
    }

    private ByteString readData(String noun, String key, YamlNode fileNode) {
        Path file = path(Values.string(noun + " " + key + ".file", fileNode));
        try {
            if (Files.size(file) > MAX_DATA_BYTES) {
                throw new ComposeException(fileNode.position(), noun + " file " + file + " is larger than 500 KiB;"
                        + " store large files in a volume");
            }
            return ByteString.copyFrom(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ComposeException(fileNode.position(), noun + " file " + file + " does not exist; create it or"
                    + " fix the path (relative paths start at " + project.directory() + ")");
        } catch (IOException e) {
            throw new ComposeException(fileNode.position(), "cannot read " + noun + " file " + file + ": "
                    + e.getMessage());
        }
    }

    /** Relative to the project directory; {@code ~/} is the user's home, as in compose. */
    Path path(String text) {
        if (text.startsWith("~/") && environment.containsKey("HOME")) {
            return Path.of(environment.get("HOME"), text.substring(2));
        }
        return project.directory().resolve(text).normalize();
    }

    private ServiceSpec service(String name, YamlNode node, Map<String, DataDef> secrets,
            Map<String, DataDef> configs, StackResources resources) {
        ContainerSpec.Builder container = ContainerSpec.newBuilder();
        ServiceSpec.Builder spec = ServiceSpec.newBuilder().setName(stack + "_" + name);
        for (var e : node.entries().entrySet()) {
            String key = e.getKey();
            YamlNode.Position at = node.keyPosition(key);
            if (key.startsWith("x-") || ComposeKeys.CONVERTED.contains(key)) {
                continue;
            }
            if (ComposeKeys.FORBIDDEN.containsKey(key)) {
                throw new ComposeException(at, "\"" + key + "\" (service " + name + ") is not supported: "
                        + ComposeKeys.FORBIDDEN.get(key));
            }
            if (ComposeKeys.NOT_YET.containsKey(key)) {
                notYet(key, ComposeKeys.NOT_YET.get(key), at);
            } else if (ComposeKeys.IGNORED.containsKey(key)) {
                ignored.computeIfAbsent(key, k -> new ArrayList<>()).add(name);
            } else {
                throw new ComposeException(at, "unknown key \"" + key + "\" in service " + name
                        + ": check its spelling against the compose file reference");
            }
        }
        if (!node.has("image")) {
            throw new ComposeException(node.position(), "service " + name + " has no image: a stack runs"
                    + " images (imported or from a registry), it does not build them");
        }
        String image = Values.string("image", node.get("image")).strip();
        if (image.isEmpty()) {
            throw new ComposeException(node.get("image").position(), "service " + name + " has an empty image");
        }
        container.setImage(image);
        if (node.has("entrypoint") && !node.get("entrypoint").isNull()) {
            container.addAllEntrypoint(Values.words("entrypoint", node.get("entrypoint"), true));
        }
        if (node.has("command") && !node.get("command").isNull()) {
            container.addAllCommand(Values.words("command", node.get("command"), true));
        }
        container.addAllEnv(ServiceEnvironment.of(this, name, node));
        if (node.has("hostname")) {
            container.setHostname(Values.string("hostname", node.get("hostname")));
        }
        if (node.has("working_dir")) {
            container.setWorkdir(Values.string("working_dir", node.get("working_dir")));
        }
        container.addAllSecrets(references("secret", node.get("secrets"), secrets, name));
        container.addAllConfigs(references("config", node.get("configs"), configs, name));
        RuntimeConverter.apply(name, node, container, warnings::add);
        container.addAllMounts(resources.mounts(name, node));
        spec.setContainer(container).setReplicas(1);
        spec.addAllNetworks(resources.serviceNetworks(name, node.get("networks")));
        if (node.has("ports") && !node.get("ports").isNull()) {
            spec.getEndpointBuilder().addAllPorts(PortsConverter.ports(name, node.get("ports")));
        }
        if (node.has("deploy")) {
            new DeployConverter(name, this::notYet).apply(Values.map("deploy", node.get("deploy")), spec);
        }
        return spec.build();
    }

    private List<FileReference> references(String noun, YamlNode list, Map<String, DataDef> defs, String service) {
        List<FileReference> refs = new ArrayList<>();
        if (list == null || list.isNull()) {
            return refs;
        }
        if (!list.isList()) {
            throw new ComposeException(list.position(), noun + "s of service " + service + " must be a list");
        }
        for (YamlNode item : list.items()) {
            FileReference.Builder ref = FileReference.newBuilder();
            String source;
            if (item.isScalar()) {
                source = item.text();
            } else {
                Values.map(noun, item);
                if (!item.has("source")) {
                    throw new ComposeException(item.position(), noun + " of service " + service + " has no source");
                }
                source = Values.string(noun + ".source", item.get("source"));
                for (var e : item.entries().entrySet()) {
                    String k = e.getKey();
                    YamlNode v = e.getValue();
                    switch (k) {
                        case "source" -> { }
                        case "target" -> ref.setTarget(Values.string(noun + ".target", v));
                        case "uid" -> ref.setUid((int) Values.integer(noun + ".uid", v));
                        case "gid" -> ref.setGid((int) Values.integer(noun + ".gid", v));
                        case "mode" -> ref.setMode(Values.mode(noun + ".mode", v));
                        default -> {
                            if (!k.startsWith("x-")) {
                                throw new ComposeException(item.keyPosition(k), "unknown key \"" + k + "\" in a "
                                        + noun + " of service " + service + ": use source, target, uid, gid, mode");
                            }
                        }
                    }
                }
            }
            DataDef def = defs.get(source);
            if (def == null) {
                throw new ComposeException(item.position(), "service " + service + " uses " + noun + " \"" + source
                        + "\", which the top-level " + noun + "s do not define; add it there (file: or external:)");
            }
            if (ref.getTarget().isEmpty()) {
                // the file is named after the key in the compose file, not after the stack's object
                ref.setTarget(source);
            }
            refs.add(ref.setName(def.name()).build());
        }
        return refs;
    }

    Map<String, String> environment() {
        return environment;
    }
}
