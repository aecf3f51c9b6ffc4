package io.buildindex.hashring;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of a ring's membership for readiness checks and diagnostics.
 *
 * @param source where members come from: {@code static}, {@code dns}, {@code consul} or {@code single}
 * @param members how many members the ring has, healthy or not
 * @param healthy how many of them are currently judged healthy
 * @param lastRefresh when the source last answered, or null when it never has
 * @param error why the source is failing (the last known membership is in use), or null when it is not
 */
public record RingStatus(
    String source, int members, int healthy, @Nullable Instant lastRefresh, @Nullable String error) {
  public RingStatus {
    if (members < 0 || healthy < 0 || healthy > members) {
      throw new IllegalArgumentException("bad counts: members=" + members + ", healthy=" + healthy);
    }
  }

  /** Whether the membership source is failing, so the ring runs on its last known membership. */
  public boolean stale() {
    return error != null;
  }
}
