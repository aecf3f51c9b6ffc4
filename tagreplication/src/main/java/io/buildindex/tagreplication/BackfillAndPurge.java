package io.buildindex.tagreplication;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Replication's background thread: the backfill and the periodic purge of old done tasks. */
final class BackfillAndPurge implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BackfillAndPurge.class);
  /** How often done tasks past their retention are purged. */
  static final Duration PURGE_INTERVAL = Duration.ofHours(1);

  private final ReplicationContext context;
  private final Backfiller backfiller;
  private final Duration doneRetention;
  private final SqliteTaskAdmin admin;
  private final ScheduledThreadPoolExecutor scheduler =
      new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("replication-background").daemon().factory());

  BackfillAndPurge(ReplicationContext context, Backfiller backfiller, Duration doneRetention) {
    this.context = context;
    this.admin = new SqliteTaskAdmin(context.sql());
    this.backfiller = backfiller;
    this.doneRetention = doneRetention;
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  void start() {
    backfiller.start(scheduler);
    scheduler.scheduleWithFixedDelay(this::purgeQuietly, 0, PURGE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Deletes tasks done longer than {@code done_retention} ago; returns how many. */
  int purgeDone() {
    int total = 0;
    int n;
    do {
      n = context.db().write(tx -> admin.purgeDone(tx, context.clock().instant().minus(doneRetention)));
      total += n;
    } while (n == SqliteTaskAdmin.BATCH);
    return total;
  }

  private void purgeQuietly() {
    try {
      int purged = purgeDone();
      if (purged > 0) {
        log.info("purged {} replication tasks done before the last {}", purged, doneRetention);
      }
    } catch (Throwable e) { // an Error too: a periodic task that throws is never run again
      log.warn("purging done replication tasks failed; trying again in {}", PURGE_INTERVAL, e);
    }
  }

  /** Drops scheduled work and waits for a step in progress, whose writes are atomic anyway. */
  @Override
  public void close() {
    scheduler.shutdown();
    try {
      if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
        scheduler.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
