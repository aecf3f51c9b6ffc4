package io.buildindex.tagreplication;

import java.util.List;

/** How {@link Lanes} attempts the tasks it started (on a worker thread) and records how each ended. */
interface TaskAttempts {
  /** Attempts {@code tasks} (all of one destination), in one request when the remote allows; a result per task, in order; never throws. */
  List<TaskResult> attempt(List<ClaimedTask> tasks);

  /** Most tasks of {@code destination} one {@link #attempt} should carry; at least 1. Must not block. */
  int batchLimit(String destination);

  /** Records how a claim ended (persisted asynchronously, in batches). */
  void record(Finished finished);

  /** Reports changes in destinations' health (for the log); called outside the lanes' lock, never under it. */
  default void reportHealth(List<HealthEvent> events) {}
}
