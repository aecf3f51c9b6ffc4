package io.buildindex.tagreplication;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A task this node's dispatcher claimed (its row is {@code running}). {@code version} is the row's
 * version at the claim: finishing compares it, so a newer write that replaced the row meanwhile is
 * not marked done. {@code priorState} and {@code priorDue} restore the row if it is released
 * unattempted.
 */
record ClaimedTask(
    long id, long version, Tag tag, String destination, @Nullable Digest digest, List<Digest> dependencies,
    Generation generation, int attempts, TaskState priorState, Instant priorDue, Instant enqueued, Instant claimed) {
  ClaimedTask {
    dependencies = List.copyOf(dependencies);
  }

  boolean delete() {
    return digest == null;
  }

  @Override
  public String toString() {
    return "task " + id + " (" + tag + " " + (digest == null ? "deleted" : digest) + " gen " + generation
        + " -> " + destination + ")";
  }
}
