package dev.orch.manager.control;

import dev.orch.agent.image.BlobStore;
import dev.orch.agent.image.ImageArchiveReader;
import dev.orch.agent.image.ImportedImage;
import dev.orch.proto.Image;
import dev.orch.proto.ImageResponse;
import dev.orch.proto.ImportImageChunk;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Receives an image archive streamed by {@code orchctl image import}, spools it to disk, imports
 * its blobs into the managers' content store (verified by digest) and records the image.
 */
public final class ImageImporter {
  private final BlobStore blobs;
  private final Path spoolDir;

  public ImageImporter(BlobStore blobs, Path spoolDir) {
    this.blobs = blobs;
    this.spoolDir = spoolDir;
  }

  /**
   * Returns the observer of one upload.
   *
   * @param record commits the image object and returns it as stored
   */
  public StreamObserver<ImportImageChunk> receive(StreamObserver<ImageResponse> out, UnaryOperator<Image> record) {
    Path spool;
    OutputStream file;
    try {
      spool = Files.createTempFile(spoolDir, "import-", ".tar");
      file = Files.newOutputStream(spool);
    } catch (IOException e) {
      throw Status.INTERNAL.withDescription("cannot spool the upload: " + e.getMessage()).asRuntimeException();
    }
    return new StreamObserver<>() {
      private String reference = "";
      private boolean failed;

      @Override
      public void onNext(ImportImageChunk chunk) {
        if (!chunk.getReference().isEmpty()) {
          reference = chunk.getReference();
        }
        try {
          file.write(chunk.getData().toByteArray());
        } catch (IOException e) {
          failed = true;
        }
      }

      @Override
      public void onError(Throwable t) {
        discard();
      }

      @Override
      public void onCompleted() {
        try {
          file.close();
          if (failed) {
            throw Status.INTERNAL.withDescription("writing the upload to disk failed").asRuntimeException();
          }
          Image stored = record.apply(importArchive(spool, reference));
          out.onNext(ImageResponse.newBuilder().setImage(stored).build());
          out.onCompleted();
        } catch (StatusRuntimeException e) {
          out.onError(e);
        } catch (IOException | RuntimeException e) {
          out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } finally {
          discard();
        }
      }

      private void discard() {
        try {
          file.close();
          Files.deleteIfExists(spool);
        } catch (IOException ignored) {
          // a leftover spool file is removed with the next start's tmp cleanup
        }
      }
    };
  }

  private Image importArchive(Path archive, String reference) throws IOException {
    if (!reference.isEmpty() && !ImageReferences.valid(reference)) {
      throw ServiceSpecValidator.invalid("invalid image name \"" + reference + "\": use name[:tag]");
    }
    List<ImportedImage> images = new ImageArchiveReader(blobs).read(archive);
    if (images.isEmpty()) {
      throw ServiceSpecValidator.invalid("the archive holds no image");
    }
    if (images.size() > 1 && !reference.isEmpty()) {
      throw ServiceSpecValidator.invalid("the archive holds " + images.size()
          + " images; --name can only name an archive with one image");
    }
    Image image = images.get(0).toProto();
    if (!reference.isEmpty()) {
      image = image.toBuilder().clearReferences().addReferences(ImageReferences.normalize(reference)).build();
    }
    return image;
  }
}
