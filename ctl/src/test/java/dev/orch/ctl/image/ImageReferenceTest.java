package dev.orch.ctl.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageReferenceTest {
    @ParameterizedTest
    @CsvSource({
        "busybox:latest, busybox, latest",
        "library/busybox:1.36, library/busybox, 1.36",
        "localhost:5000/app:2, localhost:5000/app, 2",
        "localhost:5000/app, localhost:5000/app, <none>",
        "app@sha256:abc, app, <none>",
        "app, app, <none>"})
    void splitsRepositoryAndTag(String reference, String repository, String tag) {
        assertEquals(new ImageReference(repository, tag), ImageReference.parse(reference));
    }
}
