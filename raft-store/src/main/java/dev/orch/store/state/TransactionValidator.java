package dev.orch.store.state;

import dev.orch.proto.ActionType;
import dev.orch.proto.Image;
import dev.orch.proto.StoreAction;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Transaction;
import java.util.HashSet;
import java.util.Set;

/**
 * Structural checks on a transaction that need no state. They run before replication (on the
 * proposer and again on the leader in {@code startTransaction}) so a malformed transaction never
 * reaches the log, and once more at apply time so apply stays total even for a log written by an
 * older, laxer version. State-dependent checks (versions, name uniqueness) happen only at apply.
 */
final class TransactionValidator {
  /** Ids are used in file names, DNS labels and log lines; keep them bounded and printable. */
  static final int MAX_ID_LENGTH = 256;

  private TransactionValidator() {}

  /** Returns a description of the first problem found, or {@code null} when the transaction is well formed. */
  static String validate(Transaction tx) {
    if (tx.getActionsCount() == 0) {
      return "transaction has no actions";
    }
    if (tx.getProposedAtMs() <= 0) {
      return "transaction has no proposed_at_ms";
    }
    for (int i = 0; i < tx.getActionsCount(); i++) {
      String problem = validateAction(tx.getActions(i));
      if (problem != null) {
        return "action " + i + ": " + problem;
      }
    }
    return null;
  }

  private static String validateAction(StoreAction action) {
    ActionType type = action.getType();
    if (type != ActionType.CREATE && type != ActionType.UPDATE
        && type != ActionType.DELETE && type != ActionType.UPSERT) {
      return "missing or unknown action type " + action.getTypeValue();
    }
    if (!action.hasObject() || action.getObject().getObjectCase() == StoredObject.ObjectCase.OBJECT_NOT_SET) {
      return type + " carries no object";
    }
    StoredObject object = action.getObject();
    String noun = StoredObjects.noun(StoredObjects.kind(object));
    String idProblem = checkId(StoredObjects.id(object));
    if (idProblem != null) {
      return noun + " " + idProblem;
    }
    if (type == ActionType.DELETE) {
      // A delete names its target by id (and version); the rest of the object is ignored.
      return null;
    }
    return switch (object.getObjectCase()) {
      case SERVICE -> object.getService().getSpec().getName().isBlank()
          ? StoredObjects.describe(object) + " has no spec.name" : null;
      case IMAGE -> checkReferences(object.getImage());
      case NETWORK -> object.getNetwork().getSpec().getName().isBlank()
          ? StoredObjects.describe(object) + " has no spec.name" : null;
      default -> null;
    };
  }

  private static String checkId(String id) {
    if (id.isBlank()) {
      return "has no meta.id";
    }
    if (id.length() > MAX_ID_LENGTH) {
      return "id is longer than " + MAX_ID_LENGTH + " characters";
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        return "id \"" + id + "\" contains whitespace or control characters";
      }
    }
    return null;
  }

  private static String checkReferences(Image image) {
    Set<String> seen = new HashSet<>();
    for (String reference : image.getReferencesList()) {
      if (reference.isBlank()) {
        return "image (" + image.getMeta().getId() + ") has an empty reference";
      }
      if (!seen.add(reference)) {
        return "image (" + image.getMeta().getId() + ") lists reference " + reference + " twice";
      }
    }
    return null;
  }
}
