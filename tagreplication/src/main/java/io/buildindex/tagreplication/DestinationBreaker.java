package io.buildindex.tagreplication;

import java.time.Duration;
import java.time.Instant;

/**
 * Circuit breaker of one destination: after {@link #FAILURES_TO_OPEN} consecutive failures that
 * blame the destination, no new task is claimed for it until the open time elapses; then one task
 * probes it; its success closes the breaker, its failure opens it again for longer. Not
 * thread-safe: guarded by the {@link Lanes} lock.
 *
 * <p>Design: the open time after the n-th consecutive opening is the retry policy's delay for n
 * failures (without jitter): it starts at {@code retry_interval} and never exceeds
 * {@code max_retry_interval}. So a task whose own retry fell due while the breaker was open waits
 * at most one open period, which is at most {@code max_retry_interval}, before it (or the probe
 * ahead of it) runs: the breaker saves a dead remote from a flood of attempts without holding any
 * work back longer than the configured retry policy allows.
 */
final class DestinationBreaker {
  /** Consecutive destination failures that open a closed breaker. */
  static final int FAILURES_TO_OPEN = 5;

  enum State { CLOSED, OPEN, HALF_OPEN }

  private final RetryPolicy policy;
  private int consecutiveFailures;
  private int openings;
  private Instant openUntil = Instant.EPOCH;

  DestinationBreaker(RetryPolicy policy) {
    this.policy = policy;
  }

  State state(Instant now) {
    if (openings == 0) {
      return State.CLOSED;
    }
    return now.isBefore(openUntil) ? State.OPEN : State.HALF_OPEN;
  }

  /** How many tasks may run or wait claimed for this destination now, given its {@code limit}. */
  int capacity(Instant now, int limit) {
    return switch (state(now)) {
      case CLOSED -> limit;
      case OPEN -> 0;
      case HALF_OPEN -> 1;
    };
  }

  /** When an open breaker lets a probe through; {@link Instant#EPOCH} when not open. */
  Instant openUntil() {
    return openings == 0 ? Instant.EPOCH : openUntil;
  }

  /** Records a successful attempt; returns true when this closed an open (or half-open) breaker. */
  boolean onSuccess() {
    boolean wasOpen = openings > 0;
    consecutiveFailures = 0;
    openings = 0;
    return wasOpen;
  }

  /**
   * Closes the breaker without a success, as an operator's retry does: the next attempts run at
   * once, and a failure counts from zero again. Returns true when it was open (or half-open).
   */
  boolean close() {
    return onSuccess();
  }

  /** Failures that blamed the destination since its last success (or close). */
  int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** Times the breaker opened since it was last closed. */
  int openings() {
    return openings;
  }

  /** Records a failed attempt; returns true when this failure opened the breaker. */
  boolean onFailure(FailureReason reason, Instant now) {
    if (!reason.destinationFault) {
      return false;
    }
    consecutiveFailures++;
    boolean probeFailed = state(now) == State.HALF_OPEN;
    if (!probeFailed && (openings > 0 || consecutiveFailures < FAILURES_TO_OPEN)) {
      return false; // closed and under the threshold, or already open
    }
    openings++;
    openUntil = now.plus(openTime());
    return true;
  }

  /** The open period after the current number of openings: never longer than {@code max_retry_interval}. */
  Duration openTime() {
    return policy.delay(Math.max(1, openings));
  }
}
