package dev.orch.agent.image;

import java.io.IOException;
import java.io.InputStream;

/** Where missing blobs come from (the managers, a registry). The store verifies what it reads. */
@FunctionalInterface
public interface BlobSource {
  /** The content of blob {@code digest} ("sha256:..."); the caller closes the stream. */
  InputStream open(String digest) throws IOException;
}
