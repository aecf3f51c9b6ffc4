package io.buildindex.tagreplication;

import io.buildindex.database.LocalDb;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the leases of the tasks this node holds: from the claim until their result is recorded
 * (waiting in a lane, attempted, or waiting for the {@link ResultWriter}), every
 * {@link Lease#renewEvery} one write extends their leases. Thread-safe.
 *
 * <p>Design: the set of held ids, not "every row this node owns", is what is renewed: a task this
 * process lost track of (a bug) then runs out its lease and returns to the queue instead of being
 * held forever. A renewal that fails (database unreachable) is retried at the next period; the
 * leases last three periods.
 */
final class LeaseKeeper {
  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
  /** Rows one renewal statement batch updates at most. */
  static final int BATCH = 1_000;

  private final LocalDb db;
  private final Lease lease;
  private final Clock clock;
  private final Set<Long> held = ConcurrentHashMap.newKeySet();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private volatile Thread thread = Thread.ofPlatform().unstarted(() -> {});

  LeaseKeeper(LocalDb db, Lease lease, Clock clock) {
    this.db = db;
    this.lease = lease;
    this.clock = clock;
  }

  void start() {
    thread = Thread.ofPlatform().name("replication-leases").daemon().start(this::run);
  }

  /** Tasks just claimed under this node's lease. */
  void hold(Collection<ClaimedTask> tasks) {
    tasks.forEach(t -> held.add(t.id()));
  }

  /** Tasks whose result is recorded (or dropped): their leases are no longer renewed. */
  void release(Collection<Finished> finished) {
    finished.forEach(f -> held.remove(f.task().id()));
  }

  /** How many tasks this node holds. */
  int held() {
    return held.size();
  }

  private void run() {
    try {
      while (!stopping.await(lease.renewEvery().toMillis(), TimeUnit.MILLISECONDS)) {
        try {
          renew();
        } catch (Throwable e) { // an Error too: this thread ending would lose every lease
          log.warn("renewing {} replication task leases failed; trying again in {}", held.size(), lease.renewEvery(), e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Extends the leases of every held task that is still this node's; returns how many rows it extended. */
  int renew() {
    List<Long> ids = List.copyOf(held);
    if (ids.isEmpty()) {
      return 0;
    }
    Instant now = clock.instant();
    return db.write(tx -> {
      int renewed = 0;
      try (PreparedStatement s = tx.prepareStatement("UPDATE " + TaskRows.TABLE
          + " SET lease_until_ms = ? WHERE id = ? AND state = 'running' AND lease_owner = ?")) {
        for (int i = 0; i < ids.size(); i++) {
          s.setLong(1, lease.until(now).toEpochMilli());
          s.setLong(2, ids.get(i));
          s.setString(3, lease.owner());
          s.addBatch();
          if ((i + 1) % BATCH == 0 || i == ids.size() - 1) {
            for (int n : s.executeBatch()) {
              renewed += Math.max(n, 0);
            }
          }
        }
      }
      return renewed;
    });
  }

  void stop() {
    stopping.countDown();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
