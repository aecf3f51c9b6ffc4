package io.buildindex.tagreplication;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The in-memory side of one destination: tasks claimed for it and not started yet, the attempts
 * running (each one request to the remote, for one task or a batch), its breaker, and until when
 * it has nothing due. Not thread-safe: guarded by the {@link Lanes} lock.
 *
 * <p>Design: every claim is a database write (an fsync), so a lane claims ahead: enough to fill
 * its concurrency limit with batches (its {@link CongestionWindow}, or {@link #MAX_AHEAD} tasks
 * while the window is smaller), plus about 100 ms of its recent throughput ({@link #MAX_PREFETCH}
 * at most), and only once a quarter of that is free. The window bounds the tasks in flight: an
 * attempt takes at most the window's free room, and each answer adapts the window. A
 * fast remote then costs one claim per hundreds of tasks, while a slow one claims barely more than
 * it runs, so new writes still overtake backfill there. Claimed tasks are spread over the free
 * request slots, so a burst goes out as parallel batches and a lone task alone at once. After a
 * claim that found fewer tasks than asked, the lane is idle until the next due time the claim
 * saw, unless a wake (an enqueue) arrived while the claim ran.
 */
final class DestinationLane {
  /** Most tasks claimed ahead of the concurrency limit. */
  static final int MAX_PREFETCH = 2048;
  /** Most tasks claimed to fill the concurrency limit with batches while the window is smaller. */
  static final int MAX_AHEAD = 512;
  private static final long RATE_WINDOW_MS = 1_000;

  private final String destination;
  private final int limit;
  private final DestinationBreaker breaker;
  private final DestinationHealth health;
  private final CongestionWindow window;
  private final ArrayDeque<ClaimedTask> claimed = new ArrayDeque<>();
  /** Attempts (requests) running. */
  private int running;
  /** Tasks in the running attempts. */
  private int runningTasks;
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
    this.health = new DestinationHealth(destination);
    this.window = new CongestionWindow(limit * WriteBatch.MAX_WRITES);
  }

  String destination() {
    return destination;
  }

  /**
   * How many tasks to claim now, when an attempt carries at most {@code batch} of them: 0 when
   * enough are claimed, nothing is due or the breaker is open.
   */
  int wanted(Instant now, int batch) {
    if (now.isBefore(idleUntil)) {
      return 0;
    }
    int target = switch (breaker.state(now)) {
      case OPEN -> 0;
      case HALF_OPEN -> 1; // the probe
      case CLOSED -> Math.max(limit, Math.min(limit * batch, Math.max(MAX_AHEAD, window.tasks())))
          + Math.min(MAX_PREFETCH, ratePerSecond / 10);
    };
    int free = target - claimed.size() - runningTasks;
    return free >= Math.max(1, target / 4) ? free : 0;
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

  /**
   * Whether the destination has nothing to do: nothing claimed, nothing in flight, its breaker
   * closed; a task handed over now starts at once, alone. (A lane with work under way batches new
   * tasks with what its next claim finds instead.)
   */
  boolean idle(Instant now) {
    return running == 0 && claimed.isEmpty() && breaker.state(now) == DestinationBreaker.State.CLOSED;
  }

  /** Takes a task claimed by the write that enqueued it (see {@link TaskEngine#claimIfIdle}). */
  void handedOver(ClaimedTask task) {
    claimed.add(task);
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

  /**
   * The claimed tasks of the next attempt, at most {@code batch} (one while the breaker probes),
   * if the limit allows one more attempt and the window has room; empty otherwise. Claimed tasks
   * are shared evenly among the free request slots, within the window's room.
   */
  List<ClaimedTask> start(Instant now, int batch) {
    int slots = breaker.capacity(now, limit);
    int room = window.tasks() - runningTasks;
    if (claimed.isEmpty() || running >= slots || (room <= 0 && running > 0)) {
      return List.of();
    }
    int perSlot = -Math.floorDiv(-claimed.size(), slots - running); // ceiling
    int n = breaker.state(now) == DestinationBreaker.State.HALF_OPEN ? 1
        : Math.min(Math.max(1, room), Math.min(batch, perSlot));
    List<ClaimedTask> out = new ArrayList<>(n);
    for (int i = 0; i < n && !claimed.isEmpty(); i++) {
      out.add(claimed.poll());
    }
    running++;
    runningTasks += out.size();
    return out;
  }

  /**
   * Records a finished attempt, started at {@code started}, and its results, one per task it
   * carried. Any done task closes the breaker and lets the window grow (or shrink, if it took
   * long); otherwise the attempt counts as one failure (it was one request), and push-back or a
   * failure of the destination shrinks the window. Returns the claimed tasks to release when it
   * opened the breaker.
   */
  List<ClaimedTask> finished(List<TaskResult> results, Instant started, Instant now) {
    boolean limited = windowLimited();
    running--;
    runningTasks -= results.size();
    countFinish(now.toEpochMilli(), results.size());
    if (results.stream().anyMatch(r -> r instanceof TaskResult.Done)) {
      window.answered(results.size(), started, Duration.between(started, now), limited, now);
      boolean closed = breaker.onSuccess();
      if (closed) {
        window.restart(); // the outage that opened the breaker shrank the window, not congestion
      }
      health.succeeded(now, closed);
      return List.of();
    }
    if (results.stream().anyMatch(r -> r instanceof TaskResult.Failed f && f.reason().slowsDown())) {
      window.pushedBack(started, now);
    }
    for (TaskResult r : results) {
      if (r instanceof TaskResult.Failed f && f.reason().destinationFault) {
        health.failed(f.lastError(), now);
        if (!breaker.onFailure(f.reason(), now)) {
          return List.of();
        }
        health.breakerOpened(breaker.openings(), breaker.consecutiveFailures(), breaker.openUntil());
        return drain();
      }
    }
    return List.of();
  }

  /*
   * Whether the window is what limits the lane, so that it may grow: claimed work waits for room,
   * or at least half the window is in flight (RFC 7661's test of a validated window, as Linux's
   * tcp_is_cwnd_limited in slow start). Waiting work alone is not enough: claims are made as room
   * frees and start at once, so with a deep backlog and a full window the claimed queue is still
   * empty at almost every answer, and a window grown only then stayed near its initial size.
   */
  private boolean windowLimited() {
    return !claimed.isEmpty() || 2L * runningTasks >= window.tasks();
  }

  /** Closes the breaker at an operator's request (a retry): claims and attempts resume now. */
  void closeBreaker(String why) {
    if (breaker.close()) {
      window.restart();
      health.breakerClosed(why);
    }
  }

  /** The destination's health now, without its tasks waiting (counted in the database). */
  DestinationStatus status(Instant now) {
    return health.status(breaker, now);
  }

  /** Queues the periodic outage summary if due, and returns the health events queued since the last call. */
  List<HealthEvent> healthEvents(Instant now) {
    health.tick(now, BreakerState.valueOf(breaker.state(now).name()));
    return health.drain();
  }

  /** The health events queued since the last call (no summary: cheap enough for every attempt). */
  List<HealthEvent> drainHealthEvents() {
    return health.drain();
  }

  /** Removes and returns every claimed task not started. */
  List<ClaimedTask> drain() {
    List<ClaimedTask> out = new ArrayList<>(claimed);
    claimed.clear();
    return out;
  }

  /** Tasks that may be in flight now: the congestion window. */
  int window() {
    return window.tasks();
  }

  /** Started attempts not finished yet. */
  int running() {
    return running;
  }

  private void countFinish(long nowMs, int tasks) {
    if (nowMs - windowStartMs >= RATE_WINDOW_MS) {
      ratePerSecond = nowMs - windowStartMs < 2 * RATE_WINDOW_MS ? windowFinished : 0;
      windowStartMs = nowMs;
      windowFinished = 0;
    }
    windowFinished += tasks;
  }
}
