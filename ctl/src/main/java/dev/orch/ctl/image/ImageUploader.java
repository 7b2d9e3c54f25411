package dev.orch.ctl.image;

import com.google.protobuf.ByteString;
import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.Image;
import dev.orch.proto.ImageResponse;
import dev.orch.proto.ImportImageChunk;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Streams an image archive to ImportImage in 1 MiB chunks. Chunks are read only when the stream
 * is ready for more (gRPC flow control), so a multi-gigabyte archive never sits in memory.
 */
final class ImageUploader {
    static final int CHUNK_BYTES = 1 << 20;

    private ImageUploader() {
    }

    /** Uploads {@code file}, tagging it {@code reference} when not null; returns the stored image. */
    static Image upload(ManagerConnection connection, Path file, String reference) {
        try (InputStream in = Files.newInputStream(file)) {
            ChunkSender sender = new ChunkSender(in, file, reference);
            connection.asyncStub(ManagerConnection.IMPORT_TIMEOUT).importImage(sender);
            return sender.result.get().getImage();
        } catch (IOException e) {
            throw unreadable(file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailedException("interrupted while importing " + file
                    + "; the manager discards a partial import, run the command again");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CommandFailedException failed) {
                throw failed;
            }
            throw connection.failure(e.getCause(), ManagerConnection.IMPORT_TIMEOUT);
        }
    }

    static CommandFailedException unreadable(Path file, IOException e) {
        return new CommandFailedException("cannot read image archive " + file + " ("
                + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }

    /** Feeds the request stream from the file whenever gRPC says it can take more. */
    private static final class ChunkSender
            implements ClientResponseObserver<ImportImageChunk, ImageResponse> {
        final CompletableFuture<ImageResponse> result = new CompletableFuture<>();
        private final InputStream in;
        private final Path file;
        private final String reference;
        private ClientCallStreamObserver<ImportImageChunk> requests;
        private ImageResponse response;
        private boolean first = true;
        private boolean finished;

        ChunkSender(InputStream in, Path file, String reference) {
            this.in = in;
            this.file = file;
            this.reference = reference;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ImportImageChunk> requestStream) {
            this.requests = requestStream;
            requestStream.setOnReadyHandler(this::sendWhileReady);
        }

        /** Synchronized: gRPC may call the ready handler again while an earlier call still runs. */
        private synchronized void sendWhileReady() {
            try {
                while (!finished && requests.isReady()) {
                    byte[] data = in.readNBytes(CHUNK_BYTES);
                    if (data.length == 0) {
                        finished = true;
                        requests.onCompleted();
                        return;
                    }
                    ImportImageChunk.Builder chunk =
                            ImportImageChunk.newBuilder().setData(ByteString.copyFrom(data));
                    if (first && reference != null) {
                        chunk.setReference(reference);
                    }
                    first = false;
                    requests.onNext(chunk.build());
                }
            } catch (IOException e) {
                finished = true;
                result.completeExceptionally(unreadable(file, e));
                requests.cancel("orchctl could not read the archive", e);
            }
        }

        @Override
        public void onNext(ImageResponse value) {
            response = value;
        }

        @Override
        public synchronized void onError(Throwable t) {
            finished = true;
            result.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            if (response == null) {
                result.completeExceptionally(new CommandFailedException(
                        "the manager ended the import of " + file + " without describing the image"));
            } else {
                result.complete(response);
            }
        }
    }
}
