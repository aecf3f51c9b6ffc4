package io.buildindex.tagreplication;

import io.buildindex.tagstore.TagRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enqueues existing tags for remote rules that were never backfilled, at low priority, at most
 * {@code ratePerSecond} tasks per second, one rule after the other. Runs on the scheduler given
 * to {@link #start}; {@link #step} is also callable directly (tests).
 *
 * <p>Design: each step scans the next page of the tag store in key order, from the rule's
 * cursor, and enqueues the live tags the rule matches, up to one second's quota. The tasks and
 * the new cursor commit in one transaction, so a restart resumes exactly after the last tag whose
 * task is durable, and nothing is enqueued twice. Backfill tasks never replace a task of the same
 * or a newer state, so a tag written meanwhile keeps its (higher priority) task.
 */
final class Backfiller {
  private static final Logger log = LoggerFactory.getLogger(Backfiller.class);
  /** Tag records read per step; steps that enqueue nothing run back to back. */
  static final int SCAN_PAGE = 1_000;

  /** One step's plan: tasks to enqueue and where the cursor ends; {@code done} when the scan reached the end. */
  record Step(@Nullable String cursor, List<TaskSpec> tasks, boolean done) {}

  private final ReplicationContext context;
  private final RemoteRules rules;
  private final DependencyResolver dependencies;
  private final BackfillPace pace;
  private final BiConsumer<String, Instant> wake;
  private final SqliteTaskQueue queue;
  private final SqliteBackfillLog backfills;
  private volatile @Nullable ScheduledExecutorService scheduler;

  /** How fast backfill goes: {@code ratePerSecond} tasks, and {@code retryDelay} after a failed step. */
  record BackfillPace(int ratePerSecond, Duration retryDelay) {
    BackfillPace {
      if (ratePerSecond < 1) {
        throw new IllegalArgumentException("ratePerSecond < 1: " + ratePerSecond);
      }
    }
  }

  /** {@code wake} tells the workers that a destination has due tasks. */
  Backfiller(ReplicationContext context, RemoteRules rules, DependencyResolver dependencies, BackfillPace pace,
      BiConsumer<String, Instant> wake) {
    this.context = context;
    this.queue = new SqliteTaskQueue(context.sql());
    this.backfills = new SqliteBackfillLog(context.sql());
    this.rules = rules;
    this.dependencies = dependencies;
    this.pace = pace;
    this.wake = wake;
  }

  void start(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
    schedule(Duration.ZERO);
  }

  private void schedule(Duration delay) {
    ScheduledExecutorService s = scheduler;
    try {
      if (s != null) {
        s.schedule(this::run, delay.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (RejectedExecutionException e) {
      log.debug("backfill stopped with replication");
    }
  }

  private void run() {
    try {
      step().ifPresent(this::schedule);
    } catch (Throwable e) { // an Error too: unscheduled, the backfill would stop silently
      log.warn("backfill step failed; trying again in {}", pace.retryDelay(), e);
      schedule(pace.retryDelay());
    }
  }

  /** Runs one step; returns the pause before the next, or empty when every backfill is done. */
  Optional<Duration> step() {
    Optional<SqliteBackfillLog.Row> next = context.db().read(backfills::nextUnfinished);
    if (next.isEmpty()) {
      return Optional.empty();
    }
    SqliteBackfillLog.Row row = next.get();
    Instant now = context.clock().instant();
    Step step = plan(row, rule(row), now);
    int enqueued = context.db().write(tx -> {
      int n = 0;
      for (TaskSpec t : step.tasks()) {
        n += queue.enqueue(tx, t, now) ? 1 : 0;
      }
      backfills.advance(tx, row, step, n, now);
      return n;
    });
    if (enqueued > 0) {
      wake.accept(row.destination(), now);
    }
    if (step.done()) {
      log.info("backfill of {} for rule \"{}\" done", row.destination(), row.rule());
    }
    return Optional.of(Duration.ofMillis(step.tasks().size() * 1000L / pace.ratePerSecond()));
  }

  private RemoteRules.Rule rule(SqliteBackfillLog.Row row) {
    return rules.rules().stream()
        .filter(r -> r.destination().equals(row.destination()) && r.regex().equals(row.rule()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("backfill of an unconfigured rule: " + row));
  }

  private Step plan(SqliteBackfillLog.Row row, RemoteRules.Rule rule, Instant now) {
    List<TagRecord> page = context.tags().scan(row.cursor(), SCAN_PAGE);
    List<TaskSpec> tasks = new ArrayList<>();
    String cursor = row.cursor();
    for (TagRecord r : page) {
      if (tasks.size() >= pace.ratePerSecond()) {
        return new Step(cursor, tasks, false);
      }
      cursor = r.tag().toString();
      if (r.digest() != null && rule.matches(r.tag())) {
        tasks.add(TaskSpec.of(r, row.destination(), dependencies.resolve(r.tag(), r.digest()), Priority.BACKFILL, now));
      }
    }
    return new Step(cursor, tasks, page.size() < SCAN_PAGE);
  }
}
