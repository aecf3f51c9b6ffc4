package io.buildindex.tagreplication;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.PutResult;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.tagstore.TagStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * {@link Replication} on a persistent queue in the node's {@link io.buildindex.database.LocalDb}:
 * enqueues in the callers' transactions, answers the status views from the database, and runs
 * the {@link TaskEngine}, the {@link Backfiller}, the periodic purge and {@link Verification}.
 */
final class QueuedReplication implements Replication {
  private final ReplicationContext context;
  private final RemoteRules rules;
  private final TaskEngine engine;
  private final BackfillAndPurge background;
  private final Verification verification;
  private final SqliteTaskQueue queue;
  private final SqliteTaskAdmin admin;
  private final TaskQueries queries = new TaskQueries();
  private final SqliteBackfillLog backfills;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  QueuedReplication(ReplicationContext context, RemoteRules rules, TaskEngine engine, BackfillAndPurge background,
      Verification verification) {
    this.context = context;
    this.queue = new SqliteTaskQueue(context.sql());
    this.admin = new SqliteTaskAdmin(context.sql());
    this.backfills = new SqliteBackfillLog(context.sql());
    this.rules = rules;
    this.engine = engine;
    this.background = background;
    this.verification = verification;
  }

  @Override
  public TagStore.InTransaction onTagWrite(boolean replicate, List<Digest> dependencies) {
    return replicate ? onTagWrite(dependencies, Duration.ZERO) : TagStore.InTransaction.NONE;
  }

  @Override
  public TagStore.InTransaction onTagWrite(List<Digest> dependencies, Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative delay: " + delay);
    }
    if (rules.isEmpty()) {
      return TagStore.InTransaction.NONE;
    }
    return new TagWriteTasks(List.copyOf(dependencies), delay);
  }

  /**
   * The tasks of one tag write: enqueued in its transaction; a task its idle lane can start at
   * once is claimed there too and handed over when the write committed ({@link TaskEngine#claimIfIdle}).
   * One write's hook: its transaction runs once on SQLite, the only dialect that claims here.
   */
  private final class TagWriteTasks implements TagStore.InTransaction {
    private final List<Digest> deps;
    private final Duration delay;
    /** Claimed in the transaction, at most one per destination; handed over at the commit. */
    private final List<ClaimedTask> claimed = new ArrayList<>();

    TagWriteTasks(List<Digest> deps, Duration delay) {
      this.deps = deps;
      this.delay = delay;
    }

    @Override
    public void apply(Connection tx, PutResult result) throws SQLException {
      if (result.outcome() != PutResult.Outcome.SUPERSEDED) {
        enqueueIn(tx, result.current(), deps, delay, delay.isZero() ? claimed : null);
      }
    }

    @Override
    public void committed() {
      engine.handOver(claimed);
      claimed.clear();
    }
  }

  @Override
  public TagStore.InTransaction onTagDelete(boolean replicate) {
    return onTagWrite(replicate, List.of());
  }

  @Override
  public int enqueue(TagRecord current, List<Digest> dependencies, Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative delay: " + delay);
    }
    List<Digest> deps = List.copyOf(dependencies);
    return rules.destinationsOf(current.tag()).isEmpty() ? 0
        : context.db().write(tx -> enqueueIn(tx, current, deps, delay, null));
  }

  /* The wake happens before the commit: harmless, because the dispatcher's claim is a later write
   * on the same single writer and so sees this one committed (or, if it rolled back, finds nothing).
   * With {@code claimed}, a task due now whose lane is idle is claimed into it instead of woken for
   * (at most one per destination: one write's), for the caller to hand over after the commit. */
  private int enqueueIn(Connection tx, TagRecord current, List<Digest> deps, Duration delay,
      @Nullable List<ClaimedTask> claimed) throws SQLException {
    Instant now = context.clock().instant();
    Instant due = now.plus(delay);
    int changed = 0;
    for (String destination : rules.destinationsOf(current.tag())) {
      if (queue.enqueue(tx, TaskSpec.of(current, destination, deps, Priority.WRITE, due), now)) {
        changed++;
        if (claimed == null || !claimOwn(tx, current, destination, now, claimed)) {
          engine.wake(destination, due);
        }
      }
    }
    return changed;
  }

  /** Claims the write's task for {@code destination} into {@code claimed} if its lane is idle; whether it did. */
  private boolean claimOwn(Connection tx, TagRecord current, String destination, Instant now, List<ClaimedTask> claimed)
      throws SQLException {
    if (claimed.stream().anyMatch(t -> t.destination().equals(destination))) {
      return false; // one per destination: this write's
    }
    Optional<ClaimedTask> mine = engine.claimIfIdle(tx, current.tag().toString(), destination, now);
    mine.ifPresent(claimed::add);
    return mine.isPresent();
  }

  @Override
  public List<TaskStatus> status(Tag tag) {
    return context.db().read(c -> queries.status(c, tag));
  }

  @Override
  public TaskPage tasks(TaskFilter filter, int limit, @Nullable String offset) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new InvalidInputException("limit", "must be 1 to " + MAX_PAGE + ", got " + limit);
    }
    TaskQueries.Cursor after = TaskQueries.Cursor.fromToken(offset);
    TaskQueries.Slice slice = context.db().read(c -> queries.page(c, filter, after, limit));
    return new TaskPage(slice.tasks(), slice.tasks().size() == limit ? slice.last().token() : null);
  }

  @Override
  public int retry(TaskFilter filter) {
    if (filter.state() != null && filter.state() != TaskState.DEAD && filter.state() != TaskState.FAILED) {
      throw new InvalidInputException("state", "only dead or failed tasks can be retried, not " + filter.state());
    }
    Set<String> destinations = new TreeSet<>();
    int total = 0;
    int n;
    do {
      n = context.db().write(tx -> {
        destinations.addAll(admin.retryDestinations(tx, filter));
        return admin.retry(tx, filter, context.clock().instant());
      });
      total += n;
    } while (n == SqliteTaskAdmin.BATCH);
    // The operator asks for an attempt now: a breaker still open from the outage would hold it
    // back for up to max_retry_interval. If the remote is still down, it opens again.
    engine.closeBreakers(destinations, "tasks were retried by an operator");
    engine.wakeAll();
    return total;
  }

  @Override
  public List<DestinationStatus> destinations() {
    return engine.destinations().stream()
        .map(d -> d.withTasksWaiting(context.db().read(c -> queries.waiting(c, d.destination()))))
        .toList();
  }

  @Override
  public List<BackfillProgress> backfill() {
    Map<List<String>, SqliteBackfillLog.Row> rows = context.db().read(backfills::all).stream()
        .collect(Collectors.toMap(r -> List.of(r.destination(), r.rule()), Function.identity()));
    return rules.rules().stream()
        .map(r -> rows.get(List.of(r.destination(), r.regex())))
        .filter(Objects::nonNull)
        .map(SqliteBackfillLog.Row::progress)
        .toList();
  }

  @Override
  public List<VerificationProgress> verification() {
    return verification.progress();
  }

  @Override
  public List<VerificationStatus> verification(Tag tag) {
    return verification.status(tag);
  }

  /** Verifies every rule now rather than at its interval (tests); returns how many tags were enqueued again. */
  long verifyNow() {
    return verification.verifyAll();
  }

  @Override
  public List<RuleMatch> match(Tag tag) {
    return rules.match(tag);
  }

  @Override
  public Optional<String> failure() {
    return engine.failure();
  }

  @Override
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("replication already started");
    }
    new Recovery(context, rules).run();
    engine.start();
    background.start();
    verification.start();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      verification.close();
      background.close();
      engine.close();
    }
  }
}
