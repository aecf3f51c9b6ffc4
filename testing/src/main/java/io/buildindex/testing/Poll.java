package io.buildindex.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Waits for an asynchronous outcome by polling against a deadline, instead of sleeping a guess.
 * The deadline only bounds how long a broken build hangs: no test asserts on how long anything
 * took. A condition that throws a {@link RuntimeException} (a server still starting) counts as
 * not holding yet; the last such exception becomes the cause of the failure.
 */
public final class Poll {
  /** Far above anything a healthy run needs, even on a loaded two-core CI machine. */
  public static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final long FIRST_PAUSE_NANOS = Duration.ofMillis(1).toNanos();
  private static final long MAX_PAUSE_NANOS = Duration.ofMillis(50).toNanos();

  private Poll() {}

  /** Returns once {@code condition} holds; fails naming {@code what} after {@code timeout}. */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    until(timeout, what, condition, () -> "");
  }

  /** As {@link #until(Duration, String, BooleanSupplier)}, the failure also showing {@code state}. */
  public static void until(Duration timeout, String what, BooleanSupplier condition, Supplier<?> state) {
    value(timeout, what, condition::getAsBoolean, held -> held, state);
  }

  /**
   * Polls {@code probe} until {@code done} holds for what it returns, and returns that; fails
   * with {@code what}, the last value seen and {@code state} after {@code timeout}.
   */
  public static <T> T value(Duration timeout, String what, Supplier<T> probe, Predicate<? super T> done,
      Supplier<?> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = FIRST_PAUSE_NANOS;
    @Nullable Object last = null;
    @Nullable RuntimeException error = null;
    while (true) {
      try {
        T value = probe.get();
        if (done.test(value)) {
          return value;
        }
        last = value;
      } catch (RuntimeException e) {
        last = e;
        error = e;
      }
      if (System.nanoTime() - deadline > 0) {
        String shown = String.valueOf(state.get());
        AssertionError failure = new AssertionError("gave up after " + timeout + " waiting until " + what
            + "\nlast seen: " + last + (shown.isEmpty() ? "" : "\n" + shown));
        if (error != null) {
          failure.initCause(error);
        }
        throw failure;
      }
      LockSupport.parkNanos(pause); // between polls, not a wait for the outcome
      pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
    }
  }
}
