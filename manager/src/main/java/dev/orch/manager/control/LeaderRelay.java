package dev.orch.manager.control;

import dev.orch.agent.tls.Roles;
import dev.orch.manager.security.PeerIdentity;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.ExecInput;
import dev.orch.proto.ExecOutput;
import dev.orch.proto.LogLine;
import dev.orch.proto.LogsRequest;
import dev.orch.proto.StatsRequest;
import dev.orch.proto.StatsResponse;
import dev.orch.proto.VolumeResponse;
import dev.orch.proto.VolumesRequest;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Control API calls that need the nodes' request channels (exec, stats, volumes, logs, node
 * images), which only the leader holds, received by another manager: relayed to the leader's
 * Control API with this manager's certificate, streams included, and the leader's answer
 * relayed back as is.
 * Only a client's call is relayed, never a manager's: a call relayed to a manager that has lost
 * the leadership meanwhile is refused there with the new leader's address, and cannot bounce.
 */
final class LeaderRelay {
  /** Stats and volume calls ask every node within seconds; this bounds a leader that hangs. */
  private static final long UNARY_DEADLINE_SECONDS = 60;

  private final BooleanSupplier isLeader;
  private final Supplier<Optional<String>> leaderAddress;
  private final Function<String, Channel> channels;

  LeaderRelay(BooleanSupplier isLeader, Supplier<Optional<String>> leaderAddress, Function<String, Channel> channels) {
    this.isLeader = isLeader;
    this.leaderAddress = leaderAddress;
    this.channels = channels;
  }

  /** The leader's address when this call should be relayed there; empty: answer it here. */
  Optional<String> target() {
    if (isLeader.getAsBoolean()) {
      return Optional.empty();
    }
    PeerIdentity caller = PeerIdentity.current();
    if (caller == null || Roles.MANAGER.equals(caller.role())) {
      return Optional.empty();
    }
    return leaderAddress.get();
  }

  private ControlGrpc.ControlStub stub(String leader) {
    return ControlGrpc.newStub(channels.apply(leader));
  }

  StreamObserver<ExecInput> exec(String leader, StreamObserver<ExecOutput> out) {
    StreamObserver<ExecInput> up = stub(leader).exec(downstream(leader, out));
    onClientGone(out, () -> up.onError(Status.CANCELLED.withDescription("the client went away").asRuntimeException()));
    return up; // the client's messages go up as they are; its error cancels the relayed call
  }

  /** Started in the client's call's context: the client going away cancels the relayed call. */
  void logs(String leader, LogsRequest req, StreamObserver<LogLine> out) {
    stub(leader).logs(req, downstream(leader, out));
  }

  StatsResponse stats(String leader, StatsRequest req) {
    return unary(leader, stub -> stub.stats(req));
  }

  VolumeResponse volumes(String leader, VolumesRequest req) {
    return unary(leader, stub -> stub.volumes(req));
  }

  dev.orch.proto.NodeImageResponse nodeImages(String leader, dev.orch.proto.NodeImagesRequest req) {
    return unary(leader, stub -> stub.nodeImages(req));
  }

  private <T> T unary(String leader, Function<ControlGrpc.ControlBlockingStub, T> call) {
    try {
      return call.apply(ControlGrpc.newBlockingStub(channels.apply(leader))
          .withDeadlineAfter(UNARY_DEADLINE_SECONDS, TimeUnit.SECONDS));
    } catch (StatusRuntimeException e) {
      throw relayed(leader, e);
    }
  }

  private static <T> StreamObserver<T> downstream(String leader, StreamObserver<T> out) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        out.onNext(value);
      }

      @Override
      public void onError(Throwable t) {
        out.onError(t instanceof StatusRuntimeException e ? relayed(leader, e) : t);
      }

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }

  /** The leader's own refusals pass unchanged; a leader this manager cannot reach is named. */
  private static StatusRuntimeException relayed(String leader, StatusRuntimeException e) {
    if (e.getStatus().getCode() != Status.Code.UNAVAILABLE && e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
      return e;
    }
    return e.getStatus().withDescription("relaying to the leader at " + leader + ": "
        + e.getStatus().getDescription() + "; retry, or run orchctl --host " + leader).asRuntimeException();
  }

  private static void onClientGone(StreamObserver<?> out, Runnable action) {
    if (out instanceof ServerCallStreamObserver<?> server) {
      server.setOnCancelHandler(action);
    }
  }
}
