package io.buildindex.tagreplication;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How this node holds the tasks it claims: each claimed row records {@code owner} (the node's id)
 * and a lease ending {@code duration} after the claim, renewed while the attempt runs. A lease that
 * runs out returns the task to the queue, where any node claims it. A value.
 */
record Lease(String owner, Duration duration) {
  /** The owner a node has when it is given no id (a single SQLite node, tests). */
  static final String LOCAL = "local";

  Lease {
    Objects.requireNonNull(owner, "owner");
    if (owner.isEmpty()) {
      throw new IllegalArgumentException("empty lease owner");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("lease duration not positive: " + duration);
    }
  }

  /** How often leases in flight are renewed: three renewals per lease, so one late renewal loses nothing. */
  Duration renewEvery() {
    return duration.dividedBy(3);
  }

  /** When a lease taken or renewed at {@code now} ends. */
  Instant until(Instant now) {
    return now.plus(duration);
  }
}
