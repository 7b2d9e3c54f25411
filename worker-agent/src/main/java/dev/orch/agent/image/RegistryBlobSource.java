package dev.orch.agent.image;

import dev.orch.proto.ImageSource;
import java.io.IOException;
import java.io.InputStream;

/** Layer blobs of one image, straight from the registry it was resolved from. */
public final class RegistryBlobSource implements BlobSource {
  private final RegistryClient client;
  private final ImageSource source;
  private final RegistryClient.Credentials credentials;

  /** @param credentials for the registry, or null to pull anonymously */
  public RegistryBlobSource(RegistryClient client, ImageSource source, RegistryClient.Credentials credentials) {
    this.client = client;
    this.source = source;
    this.credentials = credentials;
  }

  @Override
  public InputStream open(String digest) throws IOException {
    return client.openBlob(source, digest, credentials);
  }
}
