package io.buildindex.docker;

import java.time.Duration;

/**
 * How long to wait for something that is expected to appear soon (a manifest pushed just before
 * its tag, a Kraken blob still being fetched from storage): up to {@code maxAttempts} tries,
 * waiting {@code initialDelay}, then twice as long each time, capped at {@code maxDelay}.
 * Immutable.
 *
 * <p>Not a retry policy for failures (that is replication's {@code RetryPolicy}, per task and
 * persisted): this polls, within one call, for something that is not there yet.
 */
public record PollPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {
  /** With the default delays, about 9 s in all: long enough for registry replicas to converge. */
  public static final int DEFAULT_MAX_ATTEMPTS = 8;
  public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(200);
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(2);

  public PollPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts < 1: " + maxAttempts);
    }
    if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("want 0 <= initialDelay <= maxDelay, got " + initialDelay + ", " + maxDelay);
    }
  }

  public static PollPolicy defaults() {
    return new PollPolicy(DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_DELAY, DEFAULT_MAX_DELAY);
  }

  /** One attempt, no waiting. */
  public static PollPolicy once() {
    return new PollPolicy(1, Duration.ZERO, Duration.ZERO);
  }

  /** The wait after failed attempt {@code attempt} (1-based). */
  public Duration delayAfter(int attempt) {
    Duration delay = initialDelay;
    for (int i = 1; i < attempt && delay.compareTo(maxDelay) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
  }
}
