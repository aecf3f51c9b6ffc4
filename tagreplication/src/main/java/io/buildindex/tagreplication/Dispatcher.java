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
 * claims for all of them (so claims of many tasks and destinations share an fsync) and hands the
 * tasks to {@link Lanes}, then it waits for the next change. Claiming in one thread and one
 * transaction means a task is claimed by at most one worker.
 *
 * <p>Design (SQLite; in shared mode tasks are handed over after the commit): the claimed tasks go
 * to their lanes, and may start, as soon as the claim's statements ran in the writer's transaction, before its commit is fsync'd: the claim is a lease held in
 * memory, and its row ({@code running}) need not be durable first. Every later claim runs after it
 * on the one writer, so it sees the row taken whether or not the fsync has finished; a result is
 * recorded by a later transaction, so after the claim; and a crash before the claim is durable
 * leaves the row pending, exactly what recovery makes of a running row at start-up (the attempt
 * is repeated, as an attempt cut short by a crash always is; replicated writes are idempotent).
 * This takes an fsync (milliseconds) off the path of every idle write to its remote. Should the
 * commit fail, the store is unavailable: the attempts' results then fail to record as well, and
 * their rows are reset at the next start.
 *
 * <p>A write to a destination with nothing to do does not wait for this thread: it claims its task
 * in its own transaction and hands it over once that committed ({@link TaskEngine#claimIfIdle}).
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
    // SQLite (one writer, each op run once): hand the tasks over before the fsync, see the design
    // note. PostgreSQL may run an op again (a retried deadlock) and other nodes claim beside this
    // one: hand over only what the commit made this node's.
    boolean beforeCommit = !db.dialect().shared();
    int[] expired = new int[1];
    Map<Lanes.Want, SqliteTaskClaims.Claim> claimed = db.write(tx -> {
      expired[0] = claims.expireLeases(tx, now);
      Map<Lanes.Want, SqliteTaskClaims.Claim> out = new LinkedHashMap<>();
      for (Lanes.Want w : wanted) {
        out.put(w, claims.claim(tx, w.lane().destination(), w.count(), now));
      }
      if (beforeCommit) {
        handOver(out, now);
      }
      return out;
    });
    claiming.expired().accept(expired[0]);
    if (!beforeCommit) {
      handOver(claimed, now);
    }
  }

  private void handOver(Map<Lanes.Want, SqliteTaskClaims.Claim> claimed, Instant now) {
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
