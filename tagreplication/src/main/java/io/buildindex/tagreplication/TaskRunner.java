package io.buildindex.tagreplication;

import java.util.List;

/** What {@link Lanes} does with started tasks, on a worker thread. */
interface TaskRunner {
  /** Attempts {@code tasks} (all of one destination), in one request when the remote allows; a result per task, in order; never throws. */
  List<TaskResult> attempt(List<ClaimedTask> tasks);

  /** Most tasks of {@code destination} one {@link #attempt} should carry; at least 1. Must not block. */
  int batchLimit(String destination);

  /** Records how a claim ended (persisted asynchronously, in batches). */
  void record(Finished finished);
}
