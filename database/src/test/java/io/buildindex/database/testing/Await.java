package io.buildindex.database.testing;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition until it holds or a generous deadline passes. The deadline only bounds how
 * long a broken build hangs; no test asserts on how long anything took.
 */
public final class Await {
  /** Far above anything a healthy run needs, even on a loaded CI machine. */
  public static final Duration DEADLINE = Duration.ofSeconds(30);

  private Await() {}

  public static void until(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("gave up after " + DEADLINE + " waiting until " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
    }
  }
}
