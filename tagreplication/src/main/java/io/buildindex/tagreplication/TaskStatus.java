package io.buildindex.tagreplication;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One replication task as operators see it: the newest work for {@code tag} towards
 * {@code destination}.
 *
 * @param digest the digest to replicate; null when the task replicates a delete (tombstone)
 * @param attempts attempts finished since the task was (re)enqueued or retried
 * @param lastError {@code <reason>: <message>} of the last failure or the cancellation; null after success
 * @param nextAttempt when a pending or failed task is due; null in every other state
 * @param superseded for a done task: the remote already held a newer generation
 * @param backfill whether the task came from a backfill (low priority) rather than a write
 * @param transfer what the last successful attempt copied to the remote origin
 */
public record TaskStatus(
    Tag tag,
    String destination,
    @Nullable Digest digest,
    TaskState state,
    int attempts,
    @Nullable String lastError,
    @Nullable Instant nextAttempt,
    Instant updated,
    boolean superseded,
    Generation generation,
    boolean backfill,
    Instant enqueued,
    Transfer transfer) {
  public TaskStatus {
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts < 0: " + attempts);
    }
    if (state.waiting() != (nextAttempt != null)) {
      throw new IllegalArgumentException("next_attempt must be set exactly when pending or failed, state " + state);
    }
  }

  /** Whether this task replicates a delete. */
  public boolean delete() {
    return digest == null;
  }
}
