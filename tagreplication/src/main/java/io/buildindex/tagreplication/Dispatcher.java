package io.buildindex.tagreplication;

import io.buildindex.database.LocalDb;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that claims due tasks: whenever lanes want work, one {@link LocalDb#write}
 * claims for all of them (so claims of many tasks and destinations share an fsync), then it hands
 * the tasks to {@link Lanes} and waits for the next change. Claiming in one thread and one
 * transaction means a task is claimed by at most one worker.
 */
final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
  /** Pause after a failed claim (database unavailable) before trying again. */
  static final Duration ERROR_PAUSE = Duration.ofSeconds(1);

  /**
   * The claim side of leases: {@code claims} claims under this node's lease, {@code leases} holds
   * what it claimed, {@code expired} counts the tasks whose lease ran out that a claim returned to
   * the queue.
   */
  record Claiming(SqliteTaskClaims claims, LeaseKeeper leases, java.util.function.IntConsumer expired) {}

  private final LocalDb db;
  private final SqliteTaskClaims claims;
  private final Claiming claiming;
  private final Lanes lanes;
  private final Clock clock;
  private final Duration poll;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private volatile boolean stopped;
  private volatile Thread thread = Thread.ofPlatform().unstarted(() -> {});

  /** {@code poll} bounds every wait: a backstop for due times the dispatcher was not told about. */
  Dispatcher(LocalDb db, Claiming claiming, Lanes lanes, Clock clock, Duration poll) {
    this.db = db;
    this.claims = claiming.claims();
    this.claiming = claiming;
    this.lanes = lanes;
    this.clock = clock;
    this.poll = poll;
  }

  void start() {
    thread = Thread.ofPlatform().name("replication-dispatcher").daemon().start(this::run);
  }

  private void run() {
    while (!stopped) {
      try {
        cycle();
      } catch (InterruptedException e) {
        return;
      } catch (Throwable e) { // an Error too: this thread dying would stop all replication
        log.error("claiming replication tasks failed; trying again in {}", ERROR_PAUSE, e);
        pause();
      }
    }
  }

  /** Why the dispatcher does not run although it was started and not stopped; empty while it runs. */
  Optional<String> failure() {
    Thread t = thread;
    return stopped || t.getState() == Thread.State.NEW || t.isAlive() ? Optional.empty()
        : Optional.of("the replication dispatcher thread has ended");
  }

  private void cycle() throws InterruptedException {
    // Time alone can make a claimed task startable (a breaker's open period ending), with no
    // claim or finish to start it: without this a lane could hold claimed tasks forever.
    lanes.promote();
    lanes.checkHealth(); // the outage summaries are due with time alone, too
    Instant now = clock.instant();
    List<Lanes.Want> wanted = lanes.wanted(now);
    if (wanted.isEmpty()) {
      lanes.awaitChange(now.plus(poll));
      return;
    }
    int[] expired = new int[1];
    Map<Lanes.Want, SqliteTaskClaims.Claim> claimed = db.write(tx -> {
      expired[0] = claims.expireLeases(tx, now);
      Map<Lanes.Want, SqliteTaskClaims.Claim> out = new LinkedHashMap<>();
      for (Lanes.Want w : wanted) {
        out.put(w, claims.claim(tx, w.lane().destination(), w.count(), now));
      }
      return out;
    });
    claiming.expired().accept(expired[0]);
    claimed.values().forEach(c -> claiming.leases().hold(c.tasks()));
    lanes.claimed(claimed, now, poll);
  }

  private void pause() {
    try {
      stopping.await(ERROR_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
    }
  }

  /** Stops claiming and waits for the thread; a claim in progress completes and its tasks are released. */
  void stop() {
    stopped = true;
    stopping.countDown();
    lanes.stop();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
