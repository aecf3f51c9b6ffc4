package io.buildindex.tagreplication;

import io.buildindex.config.TagReplicationConfig;
import java.time.Duration;

/**
 * When a failed task is tried again: exponential backoff from {@code initial}, doubling per
 * failure, capped at {@code max}, and how many attempts a task gets ({@code maxAttempts}, 0 for
 * unlimited). Pure and clock-free; immutable.
 *
 * <p>Design: jitter only shortens a delay (by up to {@link #JITTER_FRACTION}), never lengthens it,
 * so no task waits longer than the configured policy says while retries of many tasks that
 * failed together still spread out. The randomness is a parameter so callers and tests choose it.
 */
record RetryPolicy(Duration initial, Duration max, int maxAttempts) {
  /** The largest share of a delay that jitter removes. */
  static final double JITTER_FRACTION = 0.2;

  RetryPolicy {
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial retry interval must be positive: " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max retry interval " + max + " < initial " + initial);
    }
    if (maxAttempts < 0) {
      throw new IllegalArgumentException("maxAttempts < 0: " + maxAttempts);
    }
  }

  static RetryPolicy of(TagReplicationConfig config) {
    return new RetryPolicy(config.retryInterval(), config.maxRetryInterval(), config.maxAttempts());
  }

  /** The delay after the {@code failures}-th consecutive failure (1 for the first): initial * 2^(failures-1), capped. */
  Duration delay(int failures) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures < 1: " + failures);
    }
    int doublings = Math.min(failures - 1, 62);
    long initialNanos = initial.toNanos();
    boolean overflows = doublings >= Long.numberOfLeadingZeros(initialNanos) - 1;
    Duration exponential = overflows ? max : Duration.ofNanos(initialNanos << doublings);
    return exponential.compareTo(max) > 0 ? max : exponential;
  }

  /** {@link #delay} shortened by {@code random} (in [0, 1)) times {@link #JITTER_FRACTION} of it. */
  Duration delay(int failures, double random) {
    if (random < 0 || random >= 1) {
      throw new IllegalArgumentException("random not in [0, 1): " + random);
    }
    Duration full = delay(failures);
    return full.minusNanos((long) (full.toNanos() * JITTER_FRACTION * random));
  }

  /** Whether a task that has finished {@code attempts} attempts, all failed, gets no more. */
  boolean exhausted(int attempts) {
    return maxAttempts > 0 && attempts >= maxAttempts;
  }
}
