package dev.orch.ctl.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.proto.Meta;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonOutputTest {
    @Test
    void emptyListIsAnEmptyArray() {
        assertEquals("[]\n", JsonOutput.array(List.of()));
    }

    @Test
    void printsAParseableArrayWithDefaultFields() throws Exception {
        Service a = Service.newBuilder().setMeta(Meta.newBuilder().setId("s1").setVersion(7))
                .setSpec(ServiceSpec.newBuilder().setName("web").setReplicas(3)).build();
        Service b = Service.newBuilder().setMeta(Meta.newBuilder().setId("s2")).build();
        String json = JsonOutput.array(List.of(a, b));
        assertTrue(json.startsWith("[\n  {\n    \"meta\": {"), json);
        JsonNode tree = new ObjectMapper().readTree(json);
        assertEquals(2, tree.size());
        assertEquals("web", tree.get(0).get("spec").get("name").asText());
        assertEquals("3", tree.get(0).get("spec").get("replicas").asText());
        assertEquals("", tree.get(1).get("imageDigest").asText());
    }
}
