package dev.orch.manager;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns exceptions thrown by service methods into the call's status, so a handler can refuse a
 * request by throwing {@code Status.X.withDescription(...)} and the client sees that status and
 * message rather than gRPC's generic "application error". Unexpected exceptions become INTERNAL with
 * their message and are logged.
 */
public final class ErrorMappingInterceptor implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMappingInterceptor.class);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    ServerCall.Listener<Q> delegate;
    try {
      delegate = next.startCall(call, headers);
    } catch (RuntimeException e) {
      close(call, e);
      return new ServerCall.Listener<>() {};
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(Q message) {
        try {
          super.onMessage(message);
        } catch (RuntimeException e) {
          close(call, e);
        }
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } catch (RuntimeException e) {
          close(call, e);
        }
      }
    };
  }

  private static void close(ServerCall<?, ?> call, RuntimeException e) {
    Status status;
    if (e instanceof StatusRuntimeException s) {
      status = s.getStatus();
    } else if (e instanceof dev.orch.store.StoreUnavailableException) {
      status = Status.UNAVAILABLE.withDescription("the cluster store is unavailable (" + e.getMessage()
          + "); a majority of managers must be up: check orchctl node ls on another manager");
    } else if (e instanceof StoreWriter.StoreWriteException) {
      status = Status.UNAVAILABLE.withDescription("the change was not committed: " + e.getMessage()
          + "; a majority of managers must be up");
    } else {
      LOG.warn("unexpected error in {}", call.getMethodDescriptor().getFullMethodName(), e);
      status = Status.INTERNAL.withDescription("internal error: " + e);
    }
    try {
      call.close(status, new Metadata());
    } catch (IllegalStateException alreadyClosed) {
      // the handler closed the call before failing; nothing more to tell the client
    }
  }
}
