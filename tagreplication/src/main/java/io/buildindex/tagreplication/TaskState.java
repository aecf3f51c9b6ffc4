package io.buildindex.tagreplication;

import com.fasterxml.jackson.annotation.JsonValue;
import io.buildindex.tagstore.InvalidInputException;
import java.util.Locale;

/** Where a replication task is in its life; written lowercase on the wire and in the database. */
public enum TaskState {
  /** Waiting for its first attempt (or re-queued by a newer write, a retry or a restart). */
  PENDING,
  /** Claimed by a worker of this node. */
  RUNNING,
  /** Its last attempt failed; waiting for the retry its backoff scheduled. */
  FAILED,
  /** Gave up (max_attempts reached) or cancelled because its remote rule is gone; kept for operators. */
  DEAD,
  /** The remote holds this state or a newer one; kept for {@code done_retention}, then purged. */
  DONE;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the lowercase name; throws {@link InvalidInputException} naming the bad text. */
  public static TaskState parse(String text) {
    for (TaskState s : values()) {
      if (s.wireName().equals(text)) {
        return s;
      }
    }
    throw new InvalidInputException("state", "want one of pending, running, failed, dead, done; got \"" + text + "\"");
  }

  /** Whether tasks in this state wait for a due time ({@code next_attempt}). */
  boolean waiting() {
    return this == PENDING || this == FAILED;
  }

  @Override
  public String toString() {
    return wireName();
  }
}
