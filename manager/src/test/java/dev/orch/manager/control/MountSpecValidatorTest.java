package dev.orch.manager.control;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.proto.Mount;
import dev.orch.proto.MountType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountSpecValidatorTest {
  private static Mount m(MountType type, String source, String target) {
    return Mount.newBuilder().setType(type).setSource(source).setTarget(target).build();
  }

  private static String refusal(Mount... mounts) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> MountSpecValidator.validate(List.of(mounts)));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    return e.getStatus().getDescription();
  }

  @Test
  void validMounts() {
    assertDoesNotThrow(() -> MountSpecValidator.validate(List.of(
        m(MountType.MOUNT_VOLUME, "data", "/data"), m(MountType.MOUNT_VOLUME, "", "/anon"),
        m(MountType.MOUNT_BIND, "/srv/www", "/www"),
        m(MountType.MOUNT_TMPFS, "", "/tmp").toBuilder().setTmpfsSizeBytes(1 << 20).build())));
  }

  @Test
  void eachRefusalNamesTheMountAndTheFix() {
    assertEquals("invalid mount data: the target must be an absolute path inside the container other than / "
        + "and without '..', e.g. dst=/data", refusal(m(MountType.MOUNT_VOLUME, "x", "data")));
    assertEquals("invalid mount /: the target must be an absolute path inside the container other than / "
        + "and without '..', e.g. dst=/data", refusal(m(MountType.MOUNT_VOLUME, "x", "/")));
    assertEquals("two mounts on /d/: give each mount its own target",
        refusal(m(MountType.MOUNT_VOLUME, "a", "/d"), m(MountType.MOUNT_TMPFS, "", "/d/")));
    assertEquals("mount /d: invalid volume name \"a/b\": use 1-128 letters, digits, '_', '.' or '-', starting with a "
        + "letter or digit", refusal(m(MountType.MOUNT_VOLUME, "a/b", "/d")));
    assertEquals("invalid mount /d: a bind mount needs an absolute host path as its source, e.g. src=/srv/data "
        + "(for a named volume use type=volume)", refusal(m(MountType.MOUNT_BIND, "srv", "/d")));
    assertEquals("invalid mount /d: a tmpfs mount has no source", refusal(m(MountType.MOUNT_TMPFS, "x", "/d")));
    assertEquals("invalid mount /d: tmpfs-size is only for type=tmpfs",
        refusal(m(MountType.MOUNT_VOLUME, "x", "/d").toBuilder().setTmpfsSizeBytes(5).build()));
    assertEquals("invalid mount /a/../b: the target must be an absolute path inside the container other than / "
        + "and without '..', e.g. dst=/data", refusal(m(MountType.MOUNT_TMPFS, "", "/a/../b")));
  }
}
