package dev.orch.ctl.compose;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a loaded project back as YAML ({@code stack config}), values typed as YAML 1.1 reads them. */
public final class ComposeWriter {
    private static final YAMLMapper MAPPER = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build());

    private ComposeWriter() {
    }

    public static String write(YamlNode root) {
        try {
            return MAPPER.writeValueAsString(plain(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write YAML: " + e.getMessage(), e);
        }
    }

    static Object plain(YamlNode node) {
        switch (node.kind()) {
            case MAP: {
                Map<String, Object> map = new LinkedHashMap<>();
                node.entries().forEach((k, v) -> map.put(k, plain(v)));
                return map;
            }
            case LIST: {
                List<Object> list = new ArrayList<>();
                node.items().forEach(v -> list.add(plain(v)));
                return list;
            }
            case SCALAR:
                return node.plain() ? Scalars.typed(node.text()) : node.text();
            default:
                return null;
        }
    }
}
