package io.buildindex.tagstore;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issues generations that are strictly increasing on this node and never behind any generation
 * it has observed from others, even when the wall clock steps back. Thread-safe, lock-free.
 */
public final class HybridLogicalClock {
  private final Clock clock;
  private final AtomicLong last = new AtomicLong();

  public HybridLogicalClock(Clock clock) {
    this.clock = clock;
  }

  /** A generation newer than every one issued or observed before. */
  public Generation next() {
    long wall = clock.millis() << Generation.COUNTER_BITS;
    return new Generation(last.updateAndGet(prev -> Math.max(prev + 1, wall)));
  }

  /** Moves this clock past a generation seen from another node, so later local writes win over it. */
  public void observe(Generation remote) {
    last.accumulateAndGet(remote.value(), Math::max);
  }
}
