package io.buildindex.tagreplication;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The health of one destination as this node sees it: its circuit breaker and what its recent
 * attempts said. A snapshot; immutable.
 *
 * @param consecutiveFailures failed attempts since the last success that blame the destination
 *     (refused, timed out, 5xx, origin); the breaker opens at 5
 * @param openUntil when an open breaker lets a probe through; null when closed
 * @param tasksWaiting unfinished tasks (pending, running, failed) for the destination
 * @param lastSuccess when an attempt last succeeded since this process started; null if none did
 * @param lastError {@code <reason>: <message>} of the last failure that blamed the destination
 * @param failingSince when the destination started failing, null while it is healthy
 */
public record DestinationStatus(
    String destination,
    BreakerState state,
    int consecutiveFailures,
    @Nullable Instant openUntil,
    long tasksWaiting,
    @Nullable Instant lastSuccess,
    @Nullable String lastError,
    @Nullable Instant failingSince) {
  public DestinationStatus {
    if (consecutiveFailures < 0) {
      throw new IllegalArgumentException("consecutiveFailures < 0: " + consecutiveFailures);
    }
    if (tasksWaiting < 0) {
      throw new IllegalArgumentException("tasksWaiting < 0: " + tasksWaiting);
    }
  }

  /** This status with {@code n} tasks waiting. */
  DestinationStatus withTasksWaiting(long n) {
    return new DestinationStatus(destination, state, consecutiveFailures, openUntil, n, lastSuccess, lastError,
        failingSince);
  }
}
