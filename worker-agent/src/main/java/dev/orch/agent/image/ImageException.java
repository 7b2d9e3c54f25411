package dev.orch.agent.image;

import java.io.IOException;

/** An image, archive or blob is invalid (as opposed to an I/O failure); the message says why. */
public final class ImageException extends IOException {
  public ImageException(String message) {
    super(message);
  }

  public ImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
