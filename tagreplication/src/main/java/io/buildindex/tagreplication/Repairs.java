package io.buildindex.tagreplication;

import io.buildindex.tagstore.TagRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enqueues replication tasks for tags verification found missing or older on a remote: at
 * backfill priority, at most {@code ratePerSecond} a second, restarting tasks that are done (the
 * remote lost what they gave it). Thread-safe; one repair at a time per caller.
 */
final class Repairs {
  private static final Logger log = LoggerFactory.getLogger(Repairs.class);

  /** Waits between chunks; {@link #SLEEP} in production, a no-op in tests. */
  @FunctionalInterface
  interface Pacer {
    Pacer SLEEP = d -> Thread.sleep(d.toMillis());

    void pause(Duration d) throws InterruptedException;
  }

  private final ReplicationContext context;
  private final DependencyResolver dependencies;
  private final int ratePerSecond;
  private final Pacer pacer;
  private final BiConsumer<String, Instant> wake;
  private final SqliteTaskQueue queue;
  private final SqliteVerificationLog verifications;

  /** {@code wake} tells the workers that a destination has due tasks. */
  Repairs(ReplicationContext context, DependencyResolver dependencies, int ratePerSecond, Pacer pacer,
      BiConsumer<String, Instant> wake) {
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException("ratePerSecond < 1: " + ratePerSecond);
    }
    this.context = context;
    this.queue = new SqliteTaskQueue(context.sql());
    this.verifications = new SqliteVerificationLog(context.sql());
    this.dependencies = dependencies;
    this.ratePerSecond = ratePerSecond;
    this.pacer = pacer;
    this.wake = wake;
  }

  /** Enqueues (or restarts) a task of each of {@code tags} towards {@code destination}; returns how many changed. */
  long repair(String destination, List<TagRecord> tags) throws InterruptedException {
    long repaired = 0;
    for (int from = 0; from < tags.size(); from += ratePerSecond) {
      if (from > 0) {
        pacer.pause(Duration.ofSeconds(1));
      }
      repaired += repairChunk(destination, tags.subList(from, Math.min(tags.size(), from + ratePerSecond)));
    }
    return repaired;
  }

  private int repairChunk(String destination, List<TagRecord> chunk) {
    Instant now = context.clock().instant();
    List<TaskSpec> specs = new ArrayList<>();
    for (TagRecord r : chunk) {
      try {
        List<io.buildindex.tagstore.Digest> deps = r.deleted() ? List.of() : dependencies.resolve(r.tag(), r.digest());
        specs.add(TaskSpec.of(r, destination, deps, Priority.BACKFILL, now));
      } catch (RuntimeException e) {
        log.warn("verification cannot repair {} at {}: its dependencies are unknown now: {}", r.tag(), destination, e.toString());
      }
    }
    int changed = context.db().write(tx -> {
      int n = 0;
      for (TaskSpec spec : specs) {
        if (queue.enqueue(tx, spec, now) || verifications.restart(tx, spec, now)) {
          n++;
        }
        verifications.markMismatch(tx, spec.tag(), destination, now);
      }
      return n;
    });
    if (changed > 0) {
      wake.accept(destination, now);
    }
    return changed;
  }
}
