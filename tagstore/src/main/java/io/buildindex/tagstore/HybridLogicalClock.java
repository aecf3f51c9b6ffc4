package io.buildindex.tagstore;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issues generations that are strictly increasing on this node and never behind any generation
 * it has observed from others, even when the wall clock steps back. At {@link Long#MAX_VALUE} the
 * clock saturates (issues that value again) rather than overflow into the past. Thread-safe,
 * lock-free.
 */
public final class HybridLogicalClock {
  private final Clock clock;
  private final AtomicLong last = new AtomicLong();

  public HybridLogicalClock(Clock clock) {
    this.clock = clock;
  }

  /** A generation newer than every one issued or observed before (equal to it once saturated). */
  public Generation next() {
    long wall = clock.millis() << Generation.COUNTER_BITS;
    return new Generation(last.updateAndGet(prev -> prev == Long.MAX_VALUE ? prev : Math.max(prev + 1, wall)));
  }

  /** Moves this clock past a generation seen from another node, so later local writes win over it. */
  public void observe(Generation remote) {
    last.accumulateAndGet(remote.value(), Math::max);
  }

  /**
   * {@link #observe}s a generation a caller chose, unless it is more than {@code maxAhead} ahead
   * of this node's wall clock: such a generation (a forged one, or from a clock far off) would
   * supersede every write to its tag until the wall clock reaches it, and drag this clock along.
   *
   * @throws InvalidInputException naming the generation when it is too far ahead
   */
  public Generation observeAtMost(Generation remote, Duration maxAhead) {
    long aheadMillis = remote.millis() - clock.millis();
    if (aheadMillis > maxAhead.toMillis()) {
      throw new InvalidInputException("generation", remote + " is " + aheadMillis + " ms ahead of this node's clock (at most "
          + maxAhead.toMillis() + " ms allowed: tagserver.max_clock_skew)");
    }
    observe(remote);
    return remote;
  }
}
