package dev.orch.scheduler.constraint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeDescription;
import dev.orch.proto.NodeRole;
import dev.orch.proto.NodeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConstraintTest {
  private static final Node NODE = Node.newBuilder()
      .setMeta(Meta.newBuilder().setId("n1abc"))
      .setSpec(NodeSpec.newBuilder().setRole(NodeRole.MANAGER).putLabels("zone", "eu-west").putLabels("disk", "ssd"))
      .setDescription(NodeDescription.newBuilder().setHostname("host-1").setOs("linux").setArch("amd64")
          .putEngineLabels("storage", "fast"))
      .build();

  @ParameterizedTest
  @CsvSource({
      "node.id==n1abc, true", "node.id!=n1abc, false",
      "node.hostname==host-1, true", "node.hostname!=host-2, true",
      "node.role==manager, true", "node.role==worker, false", "node.role!=worker, true",
      "node.platform.os==linux, true", "node.platform.os==Linux, true", "node.platform.os==windows, false",
      "node.platform.arch==amd64, true", "node.platform.arch!=arm64, true",
      "node.labels.zone==eu-west, true", "node.labels.zone==EU-West, true", "node.labels.zone!=eu-west, false",
      "node.labels.missing!=x, true", "node.labels.missing==x, false",
      "engine.labels.storage==fast, true", "engine.labels.storage!=fast, false",
      "' node.labels.disk == ssd ', true", "NODE.Labels.disk==ssd, true",
  })
  void matchesEveryDescriptor(String text, boolean expected) {
    assertEquals(expected, Constraint.parse(text).matches(NODE), text);
  }

  @Test
  void normalFormDropsSpaces() {
    assertEquals("node.labels.zone==eu", Constraint.parse("  node.labels.zone ==  eu ").toString());
    assertEquals("node.role!=manager", Constraint.parse("node.role != manager").toString());
  }

  @Test
  void labelKeysKeepTheirCase() {
    Node n = NODE.toBuilder().setSpec(NODE.getSpec().toBuilder().putLabels("Tier", "gold")).build();
    assertTrue(Constraint.parse("node.labels.Tier==gold").matches(n));
    assertFalse(Constraint.parse("node.labels.tier==gold").matches(n));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''| empty constraint",
      "node.labels.zone| no operator",
      "node.labels.zone=eu| no operator",
      "==eu| no key before the operator",
      "node.labels.zone==| no value after the operator",
      "node.labels.zone==  | no value after the operator",
      "node.labels.a==b==c| more than one operator",
      "node.labels.zone!==eu| more than one operator",
      "node.colour==red| unknown node attribute \"node.colour\"",
      "node.labels.==x| invalid label key \"\"",
      "node.labels.1x==y| invalid label key \"1x\"",
      "node.labels.a b==y| invalid label key \"a b\"",
      "node.role==admin| node.role is manager or worker",
  })
  void refusesWithAClearReason(String text, String reason) {
    InvalidPlacementException e = assertThrows(InvalidPlacementException.class, () -> Constraint.parse(text));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void unknownAttributeListsTheKnownOnes() {
    InvalidPlacementException e = assertThrows(InvalidPlacementException.class,
        () -> Constraint.parse("node.name==x"));
    assertEquals("invalid constraint \"node.name==x\": unknown node attribute \"node.name\": use node.id,"
        + " node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.KEY or"
        + " engine.labels.KEY", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"node.labels.zone", "engine.labels.rack", "node.platform.arch", "node.hostname"})
  void spreadAcceptsAnyDescriptor(String d) {
    SpreadPreference p = SpreadPreference.of(dev.orch.proto.PlacementPreference.newBuilder().setSpread(d).build());
    assertEquals("spread=" + d, p.toString());
  }

  @Test
  void spreadRefusesUnknownOrEmptyDescriptors() {
    var bad = dev.orch.proto.PlacementPreference.newBuilder().setSpread("node.zone").build();
    InvalidPlacementException e = assertThrows(InvalidPlacementException.class, () -> SpreadPreference.of(bad));
    assertTrue(e.getMessage().startsWith("invalid placement preference \"spread=node.zone\": unknown node"),
        e.getMessage());
    assertThrows(InvalidPlacementException.class,
        () -> SpreadPreference.of(dev.orch.proto.PlacementPreference.getDefaultInstance()));
  }

  @Test
  void rulesAreParsedOnceAndRefusalsEveryTime() {
    var p = dev.orch.proto.Placement.newBuilder().addConstraints("node.labels.zone==eu").build();
    assertTrue(PlacementRules.of(p) == PlacementRules.of(p.toBuilder().build()));
    var bad = dev.orch.proto.Placement.newBuilder().addConstraints("zone==eu").build();
    assertThrows(InvalidPlacementException.class, () -> PlacementRules.of(bad));
    assertThrows(InvalidPlacementException.class, () -> PlacementRules.of(bad));
  }

  @Test
  void rulesRefuseTooManyLevels() {
    var p = dev.orch.proto.Placement.newBuilder();
    for (int i = 0; i <= PlacementRules.MAX_PREFERENCES; i++) {
      p.addPreferences(dev.orch.proto.PlacementPreference.newBuilder().setSpread("node.labels.l" + i));
    }
    assertThrows(InvalidPlacementException.class, () -> PlacementRules.of(p.build()));
  }
}
