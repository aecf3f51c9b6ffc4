package io.buildindex.tagreplication;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.concurrent.locks.LockSupport;
import org.assertj.core.api.Assertions;

/** Waits for asynchronous outcomes by polling against a deadline, instead of sleeping a guess. */
final class Poll {
  /** Generous: a loaded CI machine may be slow, and passing tests return as soon as it holds. */
  static final Duration DEADLINE = Duration.ofSeconds(20);

  private Poll() {}

  /** Returns once {@code condition} holds; fails with {@code what} and {@code state} at the deadline. */
  static void until(String what, BooleanSupplier condition, Supplier<?> state) {
    until(what, condition, state, DEADLINE);
  }

  static void until(String what, BooleanSupplier condition, Supplier<?> state, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        Assertions.fail("gave up waiting for " + what + " after " + timeout + "; state: " + state.get());
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }

  static void until(String what, BooleanSupplier condition) {
    until(what, condition, () -> "n/a");
  }
}
