package io.buildindex.tagreplication;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory side of one destination: tasks claimed for it and not started yet, how many run,
 * its breaker, and until when it has nothing due. Not thread-safe: guarded by the {@link Lanes} lock.
 *
 * <p>Design: every claim is a database write (an fsync), so a lane claims ahead: up to its
 * concurrency limit plus about 100 ms of its recent throughput ({@link #MAX_PREFETCH} at most),
 * and only once a quarter of that is free. A fast remote then costs one claim per hundreds of
 * tasks, while a slow one claims barely more than it runs, so new writes still overtake backfill
 * there. After a claim that found fewer tasks than asked, the lane is idle until the next due
 * time the claim saw, unless a wake (an enqueue) arrived while the claim ran.
 */
final class DestinationLane {
  /** Most tasks claimed ahead of the concurrency limit. */
  static final int MAX_PREFETCH = 512;
  private static final long RATE_WINDOW_MS = 1_000;

  private final String destination;
  private final int limit;
  private final DestinationBreaker breaker;
  private final ArrayDeque<ClaimedTask> claimed = new ArrayDeque<>();
  private int running;
  private Instant idleUntil = Instant.EPOCH;
  private long wakes;
  private long windowStartMs;
  private int windowFinished;
  private int ratePerSecond;

  DestinationLane(String destination, int limit, DestinationBreaker breaker) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit < 1: " + limit);
    }
    this.destination = destination;
    this.limit = limit;
    this.breaker = breaker;
  }

  String destination() {
    return destination;
  }

  /** How many tasks to claim now: 0 when enough are claimed, nothing is due or the breaker is open. */
  int wanted(Instant now) {
    if (now.isBefore(idleUntil)) {
      return 0;
    }
    int capacity = breaker.capacity(now, limit + Math.min(MAX_PREFETCH, ratePerSecond / 10));
    int free = capacity - claimed.size() - running;
    return free >= Math.max(1, capacity / 4) ? free : 0;
  }

  /** The wake count when a claim starts, to detect wakes that race with it. */
  long wakes() {
    return wakes;
  }

  /** Takes the tasks a claim returned; when it was short, idles until {@code nextDue} (or {@code poll}). */
  void claimed(SqliteTaskClaims.Claim claim, int asked, long wakesAtClaim, Instant now, Duration poll) {
    claimed.addAll(claim.tasks());
    if (claim.tasks().size() < asked && wakes == wakesAtClaim) {
      idleUntil = claim.nextDue().orElse(now.plus(poll));
    }
  }

  /** Work may be due at {@code due}: stop idling after it. Returns whether that moved the idle time earlier. */
  boolean wake(Instant due) {
    wakes++;
    if (due.isBefore(idleUntil)) {
      idleUntil = due;
      return true;
    }
    return false;
  }

  /** When this lane may want to claim again though it does not now; empty when only a finish can change that. */
  Optional<Instant> nextWake(Instant now) {
    Instant at = idleUntil.isAfter(breaker.openUntil()) ? idleUntil : breaker.openUntil();
    return at.isAfter(now) ? Optional.of(at) : Optional.empty();
  }

  /** The next claimed task to start, if the limit (or the breaker's probe) allows one more. */
  @Nullable ClaimedTask start(Instant now) {
    if (claimed.isEmpty() || running >= breaker.capacity(now, limit)) {
      return null;
    }
    running++;
    return claimed.poll();
  }

  /** Records a finished attempt; returns the claimed tasks to release when it opened the breaker. */
  List<ClaimedTask> finished(TaskResult result, Instant now) {
    running--;
    countFinish(now.toEpochMilli());
    if (result instanceof TaskResult.Done) {
      breaker.onSuccess();
    } else if (result instanceof TaskResult.Failed f && breaker.onFailure(f.reason(), now)) {
      return drain();
    }
    return List.of();
  }

  /** Removes and returns every claimed task not started. */
  List<ClaimedTask> drain() {
    List<ClaimedTask> out = new ArrayList<>(claimed);
    claimed.clear();
    return out;
  }

  /** Started tasks not finished yet. */
  int running() {
    return running;
  }

  private void countFinish(long nowMs) {
    if (nowMs - windowStartMs >= RATE_WINDOW_MS) {
      ratePerSecond = nowMs - windowStartMs < 2 * RATE_WINDOW_MS ? windowFinished : 0;
      windowStartMs = nowMs;
      windowFinished = 0;
    }
    windowFinished++;
  }
}
