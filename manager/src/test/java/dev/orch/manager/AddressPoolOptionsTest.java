package dev.orch.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** orchd init --default-addr-pool and --default-addr-pool-mask-length. */
class AddressPoolOptionsTest {
  @TempDir Path dir;

  @Test
  void defaultsAndChoicesRoundTripThroughTheDataDir() {
    assertEquals(new AddressPoolOptions("10.0.0.0/8", 24), AddressPoolOptions.parse(null, null));
    assertEquals(AddressPoolOptions.defaults(), AddressPoolOptions.load(dir));
    AddressPoolOptions chosen = AddressPoolOptions.parse("172.20.0.0/16", 26);
    chosen.save(dir);
    assertEquals(new AddressPoolOptions("172.20.0.0/16", 26), AddressPoolOptions.load(dir));
    assertEquals(28, AddressPoolOptions.parse("192.168.7.0/28", null).subnetSize());
  }

  @Test
  void badValuesNameTheOption() {
    assertEquals("invalid --default-addr-pool: 10.1.0.0/8 has host bits set; use 10.0.0.0/8",
        assertThrows(IllegalArgumentException.class, () -> AddressPoolOptions.parse("10.1.0.0/8", null)).getMessage());
    assertEquals("invalid --default-addr-pool-mask-length 12: use a length from /16 to /29 that cuts 172.20.0.0/16"
        + " into at most 2^24 subnets",
        assertThrows(IllegalArgumentException.class, () -> AddressPoolOptions.parse("172.20.0.0/16", 12)).getMessage());
  }
}
