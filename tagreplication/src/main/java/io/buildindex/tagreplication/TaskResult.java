package io.buildindex.tagreplication;

/** How an attempt at a {@link ClaimedTask} ended. */
sealed interface TaskResult {
  /** The remote holds the task's state, or ({@code superseded}) a newer generation; {@code transfer} is what was copied. */
  record Done(boolean superseded, Transfer transfer) implements TaskResult {}

  /** The attempt failed; the task is retried with backoff or, out of attempts, dead. */
  record Failed(FailureReason reason, String message) implements TaskResult {
    String lastError() {
      return reason.metricName() + ": " + message;
    }
  }

  /** Not attempted (shutdown, breaker opened): the row returns to its prior state. */
  record Released() implements TaskResult {}

  Done DONE = new Done(false, Transfer.NONE);
  Done SUPERSEDED = new Done(true, Transfer.NONE);
  Released RELEASED = new Released();
}
