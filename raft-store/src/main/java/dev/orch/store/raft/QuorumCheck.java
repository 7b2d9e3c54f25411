package dev.orch.store.raft;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides, before a membership change is proposed, whether the group could commit it and still
 * commit afterwards. Raft moves through a joint configuration, so the change needs a majority of
 * the current members and then a majority of the new ones; a change that lacks either would hang
 * (and block every later write behind it) rather than fail, so it is refused up front with what
 * to do instead.
 */
final class QuorumCheck {
  private QuorumCheck() {}

  /**
   * @param change what is being done, for the message ("removing m2")
   * @param current the voting members now
   * @param proposed the voting members after the change
   * @param reachable members the leader has heard from lately (the leader itself included; a
   *     member being added counts as reachable, since the leader catches it up before the change)
   * @return why the change is refused, or empty when it is safe
   */
  static Optional<String> refusal(String change, Set<String> current, Set<String> proposed, Set<String> reachable) {
    if (proposed.isEmpty()) {
      return Optional.of(change + " would leave the group without members; a store needs at least one. "
          + "Add another member first, or stop this one if the cluster is being retired.");
    }
    Set<String> reachableNow = intersection(current, reachable);
    int needNow = majority(current.size());
    if (reachableNow.size() < needNow) {
      Set<String> down = difference(current, reachable);
      return Optional.of(change + " needs " + needNow + " of the " + current.size() + " current members to agree, but "
          + "only " + counted(reachableNow) + " reachable; " + names(down) + " " + verb(down) + " down. Bring "
          + names(down) + " back first; if " + (down.size() == 1 ? "it is" : "they are") + " gone for good, "
          + "restart a surviving member with force-new-cluster.");
    }
    Set<String> reachableAfter = intersection(proposed, reachable);
    int needAfter = majority(proposed.size());
    if (reachableAfter.size() < needAfter) {
      Set<String> down = difference(proposed, reachable);
      return Optional.of(change + " would leave " + proposed.size() + " members of which only "
          + counted(reachableAfter) + " reachable, fewer than the " + needAfter + " a quorum needs, so the store "
          + "could not commit anything. Bring " + names(down) + " back first, or remove an unreachable member "
          + "instead.");
    }
    return Optional.empty();
  }

  static int majority(int members) {
    return members / 2 + 1;
  }

  private static Set<String> intersection(Set<String> a, Set<String> b) {
    Set<String> result = new TreeSet<>(a);
    result.retainAll(b);
    return result;
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    Set<String> result = new TreeSet<>(a);
    result.removeAll(b);
    return result;
  }

  /** "1 (m1) is", "2 (m1, m2) are", "0 are". */
  private static String counted(Set<String> members) {
    return members.size() + (members.isEmpty() ? "" : " (" + String.join(", ", members) + ")") + " " + verb(members);
  }

  private static String names(Set<String> members) {
    return String.join(" and ", members);
  }

  private static String verb(Set<String> members) {
    return members.size() == 1 ? "is" : "are";
  }
}
