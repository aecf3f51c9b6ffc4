package io.buildindex.tagreplication;

/** What {@link Lanes} does with a started task, on a worker thread. */
interface TaskRunner {
  /** One attempt at {@code task}; never throws. */
  TaskResult attempt(ClaimedTask task);

  /** Records how a claim ended (persisted asynchronously, in batches). */
  void record(Finished finished);
}
