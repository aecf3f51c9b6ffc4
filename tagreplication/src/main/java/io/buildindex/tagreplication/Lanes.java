package io.buildindex.tagreplication;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destinations' lanes and the workers that run their claimed tasks: at most
 * {@code maxRunning} attempts in all and each lane's limit per destination, so one slow or dead
 * remote holds at most its own limit of workers, and a lane already running an attempt leaves
 * a worker free for each lane that has none (up to half the workers; see {@link #reserved}). An attempt is one request to the remote, for one
 * task or a batch of them ({@link TaskAttempts#batchLimit}). Thread-safe.
 *
 * <p>Design: as in OkHttp's {@code Dispatcher.promoteAndExecute}, lane bookkeeping happens under
 * one lock and tasks are handed to the executor after it is released; nothing under the lock
 * blocks on the network or the database. Lanes are visited round-robin so that no destination
 * starves the others of the shared workers. The {@link Dispatcher} waits on {@link #awaitChange}
 * and is signalled only when a lane wants to claim or may soon (not on every finish: at thousands
 * of tasks per second that would be a context switch each).
 */
final class Lanes {
  private static final Logger log = LoggerFactory.getLogger(Lanes.class);
  /** How often the dispatcher looks for due outage summaries: their interval is a minute. */
  static final Duration HEALTH_CHECK_INTERVAL = Duration.ofSeconds(1);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<DestinationLane> lanes;
  private final Map<String, DestinationLane> byDestination;
  private final int maxRunning;
  private final Executor workers;
  private final TaskAttempts attempts;
  private final Clock clock;
  private int running;
  private int nextLane;
  private boolean stopped;
  /** Only the dispatcher's thread reads and writes it ({@link #checkHealth}). */
  private Instant nextHealthCheck = Instant.EPOCH;

  Lanes(List<DestinationLane> lanes, int maxRunning, Executor workers, TaskAttempts attempts, Clock clock) {
    this.lanes = List.copyOf(lanes);
    this.byDestination = this.lanes.stream().collect(Collectors.toMap(DestinationLane::destination, l -> l));
    this.maxRunning = maxRunning;
    this.workers = workers;
    this.attempts = attempts;
    this.clock = clock;
  }

  /** What the dispatcher should claim now: per lane, how many and the wake count it claims against. */
  record Want(DestinationLane lane, int count, long wakes) {}

  List<Want> wanted(Instant now) {
    lock.lock();
    try {
      List<Want> out = new ArrayList<>();
      for (DestinationLane lane : lanes) {
        int n = stopped ? 0 : lane.wanted(now, attempts.batchLimit(lane.destination()));
        if (n > 0) {
          out.add(new Want(lane, n, lane.wakes()));
        }
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** Hands claimed tasks to their lanes and starts what the limits allow. */
  void claimed(Map<Want, SqliteTaskClaims.Claim> claims, Instant now, Duration poll) {
    List<ClaimedTask> orphans = new ArrayList<>();
    lock.lock();
    try {
      claims.forEach((want, claim) -> want.lane().claimed(claim, want.count(), want.wakes(), now, poll));
      if (stopped) {
        claims.keySet().forEach(w -> orphans.addAll(w.lane().drain()));
      }
    } finally {
      lock.unlock();
    }
    release(orphans, now);
    promoteAndExecute();
  }

  /** Whether {@code destination}'s lane has nothing to do ({@link DestinationLane#idle}) and a worker is free. */
  boolean idle(String destination, Instant now) {
    lock.lock();
    try {
      DestinationLane lane = byDestination.get(destination);
      return !stopped && running < maxRunning && lane != null && lane.idle(now);
    } finally {
      lock.unlock();
    }
  }

  /** Takes tasks claimed outside the dispatcher ({@link TaskEngine#claimIfIdle}) and starts what the limits allow. */
  void handOver(List<ClaimedTask> tasks, Instant now) {
    List<ClaimedTask> orphans = new ArrayList<>();
    lock.lock();
    try {
      for (ClaimedTask t : tasks) {
        DestinationLane lane = byDestination.get(t.destination());
        if (stopped || lane == null) {
          orphans.add(t);
        } else {
          lane.handedOver(t);
        }
      }
    } finally {
      lock.unlock();
    }
    release(orphans, now);
    promoteAndExecute();
  }

  /** Work for {@code destination} may be due at {@code due}; unknown destinations are ignored. */
  void wake(String destination, Instant due) {
    wake(List.of(new DestinationDue(destination, due)));
  }

  void wake(List<DestinationDue> wakes) {
    if (wakes.isEmpty()) {
      return;
    }
    lock.lock();
    try {
      boolean moved = false;
      for (DestinationDue w : wakes) {
        DestinationLane lane = byDestination.get(w.destination());
        moved |= lane != null && lane.wake(w.due());
      }
      if (moved) {
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  void wakeAll(Instant due) {
    lock.lock();
    try {
      lanes.forEach(l -> l.wake(due));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Blocks until a lane wants to claim: at once if one does, else until a wake or finish, the
   * lanes' next due or breaker time, or {@code deadline}, whichever is first.
   */
  void awaitChange(Instant deadline) throws InterruptedException {
    lock.lock();
    try {
      Instant now = clock.instant();
      Instant until = deadline;
      for (DestinationLane lane : lanes) {
        if (lane.wanted(now, attempts.batchLimit(lane.destination())) > 0) {
          return;
        }
        Instant at = lane.nextWake(now).orElse(until);
        until = at.isBefore(until) ? at : until;
      }
      long nanos = Duration.between(now, until).toNanos();
      if (nanos > 0 && !stopped) {
        changed.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Starts every claimed task the limits and breakers now allow. */
  void promote() {
    promoteAndExecute();
  }

  private void promoteAndExecute() {
    List<List<ClaimedTask>> start = new ArrayList<>();
    lock.lock();
    try {
      for (List<ClaimedTask> t = startNext(); t != null; t = startNext()) {
        start.add(t);
      }
    } finally {
      lock.unlock();
    }
    start.forEach(this::execute);
  }

  /** The next attempt any lane may start (its tasks), round-robin, counted as running; null when none may. Holds the lock. */
  private @Nullable List<ClaimedTask> startNext() {
    if (stopped || running >= maxRunning) {
      return null;
    }
    Instant now = clock.instant();
    int reserved = reserved();
    for (int i = 0; i < lanes.size(); i++) {
      DestinationLane lane = lanes.get(Math.floorMod(nextLane++, lanes.size()));
      if (lane.running() > 0 && running + reserved >= maxRunning) {
        continue; // the last workers are kept for lanes with nothing running
      }
      List<ClaimedTask> tasks = lane.start(now, attempts.batchLimit(lane.destination()));
      if (!tasks.isEmpty()) {
        running++;
        return tasks;
      }
    }
    return null;
  }

  /*
   * Workers kept free for lanes that have no attempt running: one each, at most half of them. The
   * per-destination limit alone does not keep remotes from starving each other: two remotes that
   * accept connections but never answer, each at its limit, can hold every worker until their
   * calls time out while a healthy remote's work waits. A lane with nothing running may always
   * take a free worker; a lane already running one may not take the reserved ones. Holds the lock.
   */
  private int reserved() {
    int idle = 0;
    for (DestinationLane lane : lanes) {
      idle += lane.running() == 0 ? 1 : 0;
    }
    return Math.min(idle, maxRunning / 2);
  }

  private void execute(List<ClaimedTask> tasks) {
    try {
      workers.execute(() -> work(tasks));
    } catch (RejectedExecutionException e) {
      Instant now = clock.instant();
      for (List<ClaimedTask> t = tasks; t != null; ) {
        t = finished(t, Collections.<TaskResult>nCopies(t.size(), TaskResult.RELEASED), now);
      }
    }
  }

  /* A worker keeps taking the next startable attempt itself rather than handing it to another
   * thread: one less park and unpark per attempt, which is much of the cost of a fast remote. */
  private void work(List<ClaimedTask> first) {
    for (List<ClaimedTask> t = first; t != null; ) {
      Instant started = clock.instant(); // the window learns each attempt's latency
      t = finished(t, attempt(t), started);
    }
  }

  /* Throwable, not RuntimeException: an Error (OutOfMemoryError from a huge answer,
   * StackOverflowError) that escaped would kill the worker with the attempt counted as running
   * and its tasks claimed forever, and with every worker gone replication would stop silently. */
  private List<TaskResult> attempt(List<ClaimedTask> tasks) {
    try {
      return attempts.attempt(tasks);
    } catch (Throwable e) {
      log.error("an attempt of {} tasks to {} failed unexpectedly", tasks.size(), tasks.get(0).destination(), e);
      return Collections.nCopies(tasks.size(), new TaskResult.Failed(FailureReason.INTERNAL, String.valueOf(e)));
    }
  }

  /** Records an attempt's end, starts what the freed capacity allows, and returns one attempt for this thread. */
  private @Nullable List<ClaimedTask> finished(List<ClaimedTask> tasks, List<TaskResult> results, Instant started) {
    Instant now = clock.instant();
    for (int i = 0; i < tasks.size(); i++) {
      attempts.record(new Finished(tasks.get(i), results.get(i), now));
    }
    List<ClaimedTask> released;
    List<HealthEvent> health;
    List<List<ClaimedTask>> others = new ArrayList<>();
    List<ClaimedTask> next;
    lock.lock();
    try {
      running--;
      DestinationLane lane = byDestination.get(tasks.get(0).destination());
      released = lane.finished(results, started, now);
      health = lane.drainHealthEvents();
      next = startNext();
      for (List<ClaimedTask> t = next == null ? null : startNext(); t != null; t = startNext()) {
        others.add(t);
      }
      if (running == 0 || lane.wanted(now, attempts.batchLimit(lane.destination())) > 0) {
        changed.signalAll(); // the dispatcher claims for the lane; close() waits for no task running
      }
    } finally {
      lock.unlock();
    }
    release(released, now);
    reportHealth(health);
    others.forEach(this::execute);
    return next;
  }

  /**
   * Reports the destinations' health events, the periodic outage summaries among them, outside the
   * lock; at most every {@link #HEALTH_CHECK_INTERVAL}, as the dispatcher may call it thousands of
   * times a second. Called by one thread (the dispatcher).
   */
  void checkHealth() {
    Instant now = clock.instant();
    if (now.isBefore(nextHealthCheck)) {
      return;
    }
    nextHealthCheck = now.plus(HEALTH_CHECK_INTERVAL);
    List<HealthEvent> events = new ArrayList<>();
    lock.lock();
    try {
      lanes.forEach(l -> events.addAll(l.healthEvents(now)));
    } finally {
      lock.unlock();
    }
    reportHealth(events);
  }

  private void reportHealth(List<HealthEvent> events) {
    if (!events.isEmpty()) {
      attempts.reportHealth(events);
    }
  }

  /** Each destination's health now, in configuration order, without tasks waiting (the database counts those). */
  List<DestinationStatus> destinations() {
    lock.lock();
    try {
      Instant now = clock.instant();
      return lanes.stream().map(l -> l.status(now)).toList();
    } finally {
      lock.unlock();
    }
  }

  /** The congestion window of {@code destination} (tasks it may have in flight); 0 for an unknown one. */
  int window(String destination) {
    lock.lock();
    try {
      DestinationLane lane = byDestination.get(destination);
      return lane == null ? 0 : lane.window();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Closes the breakers of {@code destinations} (unknown ones are ignored), {@code why} in words,
   * and wakes their lanes so that their due tasks are claimed and attempted now.
   */
  void closeBreakers(Collection<String> destinations, String why) {
    List<HealthEvent> events = new ArrayList<>();
    lock.lock();
    try {
      Instant now = clock.instant();
      for (String d : destinations) {
        DestinationLane lane = byDestination.get(d);
        if (lane != null) {
          lane.closeBreaker(why);
          lane.wake(now);
          events.addAll(lane.drainHealthEvents());
        }
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    reportHealth(events);
  }

  private void release(List<ClaimedTask> tasks, Instant now) {
    tasks.forEach(t -> attempts.record(new Finished(t, TaskResult.RELEASED, now)));
  }

  /** Stops starting tasks and releases every claimed one not started; running ones go on. */
  void stop() {
    List<ClaimedTask> orphans = new ArrayList<>();
    lock.lock();
    try {
      stopped = true;
      lanes.forEach(l -> orphans.addAll(l.drain()));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    release(orphans, clock.instant());
  }

  /** Waits up to {@code grace} for running tasks to finish; returns how many still run. */
  int awaitIdle(Duration grace) throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    lock.lock();
    try {
      while (running > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
      return running;
    } finally {
      lock.unlock();
    }
  }
}
