package dev.orch.manager.control;

import dev.orch.manager.StoreWriter;
import dev.orch.proto.StoreAction;
import dev.orch.proto.TransactionResult;
import io.grpc.Status;
import java.util.List;

/** Commits for the Control API, mapping store refusals to gRPC statuses with the store's message. */
final class ControlCommits {
  private final StoreWriter writer;

  ControlCommits(StoreWriter writer) {
    this.writer = writer;
  }

  TransactionResult commit(List<StoreAction> actions) {
    TransactionResult r;
    try {
      r = writer.submit(actions);
    } catch (StoreWriter.StoreWriteException e) {
      throw Status.UNAVAILABLE
          .withDescription("the cluster store did not commit the change: " + e.getMessage())
          .asRuntimeException();
    }
    if (!r.getOk()) {
      Status status = r.getError().contains("already in use") ? Status.ALREADY_EXISTS
          : r.getError().contains("version") ? Status.ABORTED
          : Status.FAILED_PRECONDITION;
      throw status.withDescription(r.getError()).asRuntimeException();
    }
    return r;
  }
}
