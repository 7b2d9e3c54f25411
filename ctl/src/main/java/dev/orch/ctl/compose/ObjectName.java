package dev.orch.ctl.compose;

/**
 * The {@code name} and {@code external} keys of a top-level secret, config, network or volume:
 * an own object is named STACK_key unless {@code name} says otherwise; an external one keeps its
 * key (or {@code external.name}, or {@code name}) and is only referred to.
 */
final class ObjectName {
    private final String stack;
    private final String key;
    private String name;
    private boolean external;

    ObjectName(String stack, String key) {
        this.stack = stack;
        this.key = key;
    }

    /** Takes {@code k} if it is name or external; false for any other key. */
    boolean accept(String k, YamlNode v, String where) {
        switch (k) {
            case "name" -> name = Values.string(where, v);
            case "external" -> {
                if (v.isMap()) {
                    external = true;
                    if (v.has("name")) {
                        name = Values.string(where + ".name", v.get("name"));
                    }
                } else {
                    external = Values.bool(where, v);
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    boolean external() {
        return external;
    }

    String objectName() {
        if (name != null) {
            return name;
        }
        return external ? key : stack + "_" + key;
    }
}
