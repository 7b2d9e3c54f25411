package dev.orch.store.raft;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * What a log entry carries, and what its reply carries. An entry holds either one transaction
 * (its protobuf bytes, as a member that does not lead sends it through the Ratis client) or a
 * batch of transactions the leader proposed together ({@link ProposalBatcher}): a zero byte,
 * then each transaction length-delimited. No protobuf message starts with a zero byte (field
 * numbers start at 1), so the two never mix up. A batch's reply holds the results the same way.
 */
final class Proposals {
  private static final byte BATCH = 0;

  private Proposals() {}

  static boolean isBatch(ByteString data) {
    return !data.isEmpty() && data.byteAt(0) == BATCH;
  }

  /** The bytes {@code tx} takes in a batch: its length prefix and its encoding. */
  static int framedSize(Transaction tx) {
    return CodedOutputStream.computeMessageSizeNoTag(tx);
  }

  /**
   * Why {@code tx} may not be proposed because of its size, or {@code null}: a log entry over
   * Ratis' limit would be refused only once in the log, and make the leader step down.
   */
  static String tooLarge(Transaction tx) {
    int bytes = framedSize(tx);
    if (bytes <= RaftSettings.MAX_TRANSACTION_BYTES) {
      return null;
    }
    return "transaction of " + bytes + " bytes (" + tx.getActionsCount() + " actions) exceeds the store's limit of "
        + RaftSettings.MAX_TRANSACTION_BYTES + " bytes per transaction; write it as several smaller transactions";
  }

  static ByteString single(Transaction tx) {
    return UnsafeByteOperations.unsafeWrap(tx.toByteArray());
  }

  static ByteString batch(List<Transaction> txs) {
    return frame(txs);
  }

  static ByteString results(List<TransactionResult> results) {
    return frame(results);
  }

  /** The transactions of an entry, in order; one for an entry that is not a batch. */
  static List<Transaction> transactions(ByteString data) throws InvalidProtocolBufferException {
    if (!isBatch(data)) {
      return List.of(Transaction.parseFrom(data.asReadOnlyByteBuffer()));
    }
    return unframe(data, Transaction.parser());
  }

  static List<TransactionResult> results(ByteString data) throws InvalidProtocolBufferException {
    return unframe(data, TransactionResult.parser());
  }

  private static ByteString frame(List<? extends MessageLite> messages) {
    int size = 1;
    for (MessageLite m : messages) {
      size += CodedOutputStream.computeMessageSizeNoTag(m);
    }
    byte[] bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeRawByte(BATCH);
      for (MessageLite m : messages) {
        out.writeMessageNoTag(m);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("could not frame " + messages.size() + " messages", e);
    }
    return UnsafeByteOperations.unsafeWrap(bytes);
  }

  private static <T extends MessageLite> List<T> unframe(ByteString data, Parser<T> parser)
      throws InvalidProtocolBufferException {
    if (!isBatch(data)) {
      throw new InvalidProtocolBufferException("not a batch");
    }
    CodedInputStream in = CodedInputStream.newInstance(data.asReadOnlyByteBuffer());
    try {
      in.skipRawBytes(1);
      List<T> messages = new ArrayList<>();
      while (!in.isAtEnd()) {
        int length = in.readRawVarint32();
        int limit = in.pushLimit(length);
        messages.add(parser.parseFrom(in));
        in.popLimit(limit);
      }
      return messages;
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
  }
}
