package dev.orch.faults;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One recorded Control API call on one service (the key). Times are nanoseconds of one monotonic
 * clock; {@code end} is {@link Long#MAX_VALUE} when the outcome is unknown (timeout, lost
 * connection). Writes put a unique {@code value} into the service (a label); an update and a
 * scale are compare-and-set: they carry the version read together with {@code expected}, so
 * that if they succeed the service held {@code expected} when they took effect.
 *
 * @param process the client that made the call
 * @param kind create, update, scale, remove or read
 * @param key the service name
 * @param value the value a write puts in (null for remove and read)
 * @param expected the value an update or a scale read before (null otherwise)
 * @param result ok, or an error outcome, or unknown
 * @param read what a successful read returned (null for an absent service, see {@link Result#NOT_FOUND})
 * @param start when the call was sent
 * @param end when its answer arrived, or {@link Long#MAX_VALUE}
 * @param detail the error message, for the record
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Op(int process, Kind kind, String key, String value, String expected, Result result, String read,
    long start, long end, String detail) {

  public enum Kind { CREATE, UPDATE, SCALE, REMOVE, READ }

  /**
   * OK: done. NOT_FOUND and EXISTS are refusals that tell what the store held (no such service,
   * the name is taken). REFUSED: refused for another reason (a stale version); nothing changed,
   * nothing learnt. UNKNOWN: the call may or may not have taken effect.
   */
  public enum Result { OK, NOT_FOUND, EXISTS, REFUSED, UNKNOWN }

  public boolean isWrite() {
    return kind != Kind.READ;
  }

  public boolean unknown() {
    return result == Result.UNKNOWN;
  }
}
