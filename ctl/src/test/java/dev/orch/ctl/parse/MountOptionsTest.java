package dev.orch.ctl.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.ctl.UsageException;
import dev.orch.proto.Mount;
import dev.orch.proto.MountType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MountOptionsTest {
    @Test
    void dockersSpellingsOfEachKind() {
        assertEquals(Mount.newBuilder().setType(MountType.MOUNT_VOLUME).setSource("data").setTarget("/data").build(),
                MountOptions.parse("--mount", "type=volume,src=data,dst=/data"));
        assertEquals(Mount.newBuilder().setType(MountType.MOUNT_VOLUME).setSource("data").setTarget("/d")
                .setReadOnly(true).build(), MountOptions.parse("--mount", "type=volume,source=data,target=/d,readonly"));
        assertEquals(Mount.newBuilder().setType(MountType.MOUNT_BIND).setSource("/srv").setTarget("/srv").build(),
                MountOptions.parse("--mount", "type=bind,src=/srv,destination=/srv,ro=false"));
        assertEquals(Mount.newBuilder().setType(MountType.MOUNT_TMPFS).setTarget("/tmp").setTmpfsSizeBytes(64L << 20)
                .build(), MountOptions.parse("--mount", "type=tmpfs,dst=/tmp,tmpfs-size=64m"));
        assertEquals("", MountOptions.parse("--mount", "type=volume,dst=/anon").getSource(), "anonymous volume");
    }

    @ParameterizedTest
    @ValueSource(strings = {"src=data,dst=/data", "type=nfs,dst=/x", "type=volume,src=data", "type=volume,dst=/x,ro=maybe",
        "type=volume,dst=/x,volume-driver=local", "type=bind,src=,dst=/x"})
    void malformedMountsAreUsageErrorsWithAnExample(String value) {
        UsageException e = assertThrows(UsageException.class, () -> MountOptions.parse("--mount", value));
        assertTrue(e.getMessage().startsWith("invalid --mount \"" + value + "\": ")
                && e.getMessage().endsWith("(e.g. type=volume,src=data,dst=/data)"), e.getMessage());
    }
}
