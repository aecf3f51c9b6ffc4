package io.buildindex.docker;

import java.time.Duration;

/**
 * Waits between retries. Injected so that tests record the waits instead of sleeping (compare
 * Guava's {@code SleepingTicker}). Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Sleeper {
  /** Sleeps on the calling thread with {@link Thread#sleep(Duration)}. */
  Sleeper SYSTEM = Thread::sleep;

  void sleep(Duration duration) throws InterruptedException;
}
