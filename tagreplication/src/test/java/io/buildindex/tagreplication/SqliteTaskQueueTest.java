package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.database.LocalDb;
import io.buildindex.database.testing.SqliteFixture;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.testing.FakeClock;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue's state machine on a real database with a fake clock; no workers. */
final class SqliteTaskQueueTest {
  static final String DC2 = "dc2:15004";
  static final Digest D1 = digest('1');
  static final Digest D2 = digest('2');
  static final RetryPolicy POLICY = new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), 3);

  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();
  private SqliteFixture db;
  private final SqliteTaskQueue queue = new SqliteTaskQueue();
  private final SqliteTaskClaims claims = new SqliteTaskClaims();
  /** No jitter: nextDouble() is 0. */
  private final SqliteTaskResults results = new SqliteTaskResults(POLICY, () -> 0L);
  private final SqliteTaskAdmin admin = new SqliteTaskAdmin();
  private final TaskQueries queries = new TaskQueries();

  static Digest digest(char c) {
    return new Digest("sha256", String.valueOf(c).repeat(64));
  }

  @BeforeEach
  void open() {
    db = SqliteFixture.open(dir, "tagstore", "tagreplication");
  }

  @AfterEach
  void close() {
    db.close();
  }

  private boolean enqueue(String tag, @Nullable Digest digest, long generation, Priority priority, Duration delay) {
    TagRecord record = new TagRecord(Tag.parse(tag), digest, new Generation(generation), clock.instant());
    TaskSpec spec = TaskSpec.of(record, DC2, digest == null ? List.of() : List.of(digest), priority, clock.instant().plus(delay));
    return db.db().write(tx -> queue.enqueue(tx, spec, clock.instant()));
  }

  private boolean enqueue(String tag, Digest digest, long generation) {
    return enqueue(tag, digest, generation, Priority.WRITE, Duration.ZERO);
  }

  private List<ClaimedTask> claim(int max) {
    return db.db().write(tx -> claims.claim(tx, DC2, max, clock.instant())).tasks();
  }

  private ClaimedTask claimOne() {
    List<ClaimedTask> tasks = claim(1);
    assertThat(tasks).hasSize(1);
    return tasks.get(0);
  }

  private List<DestinationDue> finish(ClaimedTask task, TaskResult result) {
    return finishing(task, result).wakes();
  }

  private SqliteTaskResults.Outcome finishing(ClaimedTask task, TaskResult result) {
    return db.db().write(tx -> results.finish(tx, List.of(new Finished(task, result, clock.instant()))));
  }

  private int count(LocalDb.WriteOp<Integer> op) {
    return db.db().write(op);
  }

  private List<TaskStatus> statuses(String tag) {
    return db.db().read(c -> queries.status(c, Tag.parse(tag)));
  }

  private TaskStatus status(String tag) {
    List<TaskStatus> all = statuses(tag);
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  private static TaskResult.Failed failure() {
    return new TaskResult.Failed(FailureReason.CONNECT, "refused");
  }

  @Test
  void enqueue_newTaskIsPendingAndDue() {
    assertThat(enqueue("app:1", D1, 10)).isTrue();
    TaskStatus s = status("app:1");
    assertThat(s.state()).isEqualTo(TaskState.PENDING);
    assertThat(s.digest()).isEqualTo(D1);
    assertThat(s.generation()).isEqualTo(new Generation(10));
    assertThat(s.nextAttempt()).isEqualTo(clock.instant());
    assertThat(s.attempts()).isZero();
    assertThat(s.backfill()).isFalse();
  }

  @Test
  void claim_marksRunningAndHidesFromOtherClaims() {
    enqueue("app:1", D1, 10);
    ClaimedTask t = claimOne();
    assertThat(t.tag()).isEqualTo(Tag.parse("app:1"));
    assertThat(t.dependencies()).containsExactly(D1);
    assertThat(status("app:1").state()).isEqualTo(TaskState.RUNNING);
    assertThat(status("app:1").nextAttempt()).isNull();
    assertThat(claim(10)).isEmpty();
  }

  @Test
  void claim_onlyDueTasks() {
    enqueue("app:1", D1, 10, Priority.WRITE, Duration.ofMinutes(5));
    assertThat(claim(10)).isEmpty();
    assertThat(db.db().write(tx -> claims.claim(tx, DC2, 10, clock.instant())).nextDue())
        .contains(clock.instant().plus(Duration.ofMinutes(5)));
    clock.advance(Duration.ofMinutes(5));
    assertThat(claim(10)).hasSize(1);
  }

  @Test
  void claim_writesBeforeBackfill() {
    enqueue("a:backfill", D1, 10, Priority.BACKFILL, Duration.ZERO);
    clock.advance(Duration.ofSeconds(1));
    enqueue("b:write", D1, 11);
    assertThat(claim(1)).extracting(t -> t.tag().toString()).containsExactly("b:write");
    assertThat(claim(1)).extracting(t -> t.tag().toString()).containsExactly("a:backfill");
  }

  @Test
  void claim_otherDestinationsUntouched() {
    enqueue("app:1", D1, 10);
    assertThat(db.db().write(tx -> claims.claim(tx, "dc3:15004", 10, clock.instant())).tasks()).isEmpty();
  }

  @Test
  void finish_done() {
    enqueue("app:1", D1, 10);
    clock.advance(Duration.ofSeconds(3));
    assertThat(finish(claimOne(), TaskResult.DONE)).isEmpty();
    TaskStatus s = status("app:1");
    assertThat(s.state()).isEqualTo(TaskState.DONE);
    assertThat(s.attempts()).isEqualTo(1);
    assertThat(s.superseded()).isFalse();
    assertThat(s.updated()).isEqualTo(clock.instant());
  }

  @Test
  void finish_superseded() {
    enqueue("app:1", D1, 10);
    finish(claimOne(), TaskResult.SUPERSEDED);
    assertThat(status("app:1").state()).isEqualTo(TaskState.DONE);
    assertThat(status("app:1").superseded()).isTrue();
  }

  @Test
  void finish_failedBacksOffExponentially() {
    enqueue("app:1", D1, 10);
    assertThat(finish(claimOne(), failure())).containsExactly(new DestinationDue(DC2, clock.instant().plusSeconds(30)));
    TaskStatus s = status("app:1");
    assertThat(s.state()).isEqualTo(TaskState.FAILED);
    assertThat(s.attempts()).isEqualTo(1);
    assertThat(s.lastError()).isEqualTo("connect: refused");
    assertThat(s.nextAttempt()).isEqualTo(clock.instant().plus(Duration.ofSeconds(30)));

    assertThat(claim(1)).isEmpty();
    clock.advance(Duration.ofSeconds(30));
    finish(claimOne(), failure());
    assertThat(status("app:1").nextAttempt()).isEqualTo(clock.instant().plus(Duration.ofSeconds(60)));
  }

  @Test
  void finish_jitterShortensBackoff() {
    SqliteTaskResults jittered = new SqliteTaskResults(POLICY, () -> Long.MAX_VALUE);
    enqueue("app:1", D1, 10);
    ClaimedTask t = claimOne();
    db.db().write(tx -> jittered.finish(tx, List.of(new Finished(t, failure(), clock.instant()))));
    Instant next = status("app:1").nextAttempt();
    assertThat(next).isBetween(clock.instant().plus(Duration.ofSeconds(24)), clock.instant().plus(Duration.ofSeconds(30)));
  }

  @Test
  void finish_deadAfterMaxAttempts() {
    enqueue("app:1", D1, 10);
    for (int i = 0; i < POLICY.maxAttempts(); i++) {
      clock.advance(Duration.ofHours(1));
      finish(claimOne(), failure());
    }
    TaskStatus s = status("app:1");
    assertThat(s.state()).isEqualTo(TaskState.DEAD);
    assertThat(s.attempts()).isEqualTo(3);
    assertThat(s.nextAttempt()).isNull();
    clock.advance(Duration.ofDays(1));
    assertThat(claim(10)).isEmpty();
  }

  @Test
  void finish_releasedRestoresPriorState() {
    enqueue("app:1", D1, 10);
    finish(claimOne(), failure());
    Instant due = status("app:1").nextAttempt();
    clock.advance(Duration.ofMinutes(1));
    ClaimedTask t = claimOne();
    finish(t, TaskResult.RELEASED);
    TaskStatus s = status("app:1");
    assertThat(s.state()).isEqualTo(TaskState.FAILED);
    assertThat(s.nextAttempt()).isEqualTo(due);
    assertThat(s.attempts()).isEqualTo(1);
    assertThat(s.lastError()).isEqualTo("connect: refused");
  }

  @Test
  void enqueue_newerReplacesQueuedTask() {
    enqueue("app:1", D1, 10, Priority.WRITE, Duration.ofHours(1));
    assertThat(enqueue("app:1", D2, 20)).isTrue();
    TaskStatus s = status("app:1");
    assertThat(s.digest()).isEqualTo(D2);
    assertThat(s.generation()).isEqualTo(new Generation(20));
    assertThat(s.nextAttempt()).isEqualTo(clock.instant());
    assertThat(claimOne().digest()).isEqualTo(D2);
  }

  @Test
  void enqueue_newerResetsFailedTask() {
    enqueue("app:1", D1, 10);
    finish(claimOne(), failure());
    enqueue("app:1", D2, 20);
    TaskStatus s = status("app:1");
    assertThat(s.state()).isEqualTo(TaskState.PENDING);
    assertThat(s.attempts()).isZero();
    assertThat(s.lastError()).isNull();
  }

  @Test
  void enqueue_olderIsIgnored() {
    enqueue("app:1", D2, 20);
    assertThat(enqueue("app:1", D1, 10)).isFalse();
    assertThat(status("app:1").digest()).isEqualTo(D2);
  }

  @Test
  void enqueue_replaceWhileRunning_newerRunsAfter() {
    enqueue("app:1", D1, 10);
    ClaimedTask old = claimOne();
    assertThat(enqueue("app:1", D2, 20)).isTrue();
    assertThat(status("app:1").state()).isEqualTo(TaskState.RUNNING);
    assertThat(claim(10)).as("not claimable beside the running one").isEmpty();

    SqliteTaskResults.Outcome overtaken = finishing(old, TaskResult.DONE);
    assertThat(overtaken.wakes()).containsExactly(new DestinationDue(DC2, clock.instant()));
    assertThat(overtaken.recorded()).as("not counted as done: the row holds newer work").isEmpty();
    TaskStatus s = status("app:1");
    assertThat(s.state()).isEqualTo(TaskState.PENDING);
    assertThat(s.digest()).isEqualTo(D2);
    ClaimedTask newer = claimOne();
    assertThat(newer.generation()).isEqualTo(new Generation(20));
    SqliteTaskResults.Outcome done = finishing(newer, TaskResult.DONE);
    assertThat(done.wakes()).isEmpty();
    assertThat(done.recorded()).extracting(Finished::task).containsExactly(newer);
    assertThat(status("app:1").state()).isEqualTo(TaskState.DONE);
  }

  @Test
  void enqueue_replaceWhileRunning_failureOfOlderDoesNotCount() {
    enqueue("app:1", D1, 10);
    ClaimedTask old = claimOne();
    enqueue("app:1", D2, 20);
    finish(old, failure());
    TaskStatus s = status("app:1");
    assertThat(s.state()).isEqualTo(TaskState.PENDING);
    assertThat(s.attempts()).isZero();
    assertThat(s.lastError()).isNull();
  }

  @Test
  void enqueue_sameStateRenewsDoneTask() {
    enqueue("app:1", D1, 10);
    finish(claimOne(), TaskResult.DONE);
    clock.advance(Duration.ofMinutes(1));
    assertThat(enqueue("app:1", D1, 10)).isTrue();
    TaskStatus s = status("app:1");
    assertThat(s.state()).isEqualTo(TaskState.PENDING);
    assertThat(s.attempts()).isZero();
    assertThat(s.enqueued()).isEqualTo(clock.instant());
  }

  @Test
  void enqueue_sameStateAdvancesDueOfWaitingTask() {
    enqueue("app:1", D1, 10, Priority.WRITE, Duration.ofHours(1));
    enqueue("app:1", D1, 10, Priority.WRITE, Duration.ofMinutes(1));
    assertThat(status("app:1").nextAttempt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));
    enqueue("app:1", D1, 10, Priority.WRITE, Duration.ofHours(2));
    assertThat(status("app:1").nextAttempt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));
  }

  @Test
  void enqueue_sameStateLeavesRunningTask() {
    enqueue("app:1", D1, 10);
    ClaimedTask t = claimOne();
    assertThat(enqueue("app:1", D1, 10)).isFalse();
    assertThat(finish(t, TaskResult.DONE)).isEmpty();
    assertThat(status("app:1").state()).isEqualTo(TaskState.DONE);
  }

  @Test
  void enqueue_backfillNeverRedoesSameState() {
    enqueue("app:1", D1, 10);
    finish(claimOne(), TaskResult.DONE);
    assertThat(enqueue("app:1", D1, 10, Priority.BACKFILL, Duration.ZERO)).isFalse();
    assertThat(status("app:1").state()).isEqualTo(TaskState.DONE);
  }

  @Test
  void enqueue_deleteTask() {
    enqueue("app:1", D1, 10);
    enqueue("app:1", null, 20, Priority.WRITE, Duration.ZERO);
    TaskStatus s = status("app:1");
    assertThat(s.delete()).isTrue();
    assertThat(claimOne().dependencies()).isEmpty();
  }

  @Test
  void resetRunning_afterRestart() {
    enqueue("app:1", D1, 10);
    enqueue("app:2", D1, 10);
    claim(10);
    db.reopen();
    clock.advance(Duration.ofSeconds(5));
    assertThat(count(tx -> admin.resetRunning(tx, Lease.LOCAL, clock.instant()))).isEqualTo(2);
    assertThat(status("app:1").state()).isEqualTo(TaskState.PENDING);
    assertThat(status("app:1").nextAttempt()).isEqualTo(clock.instant());
    assertThat(claim(10)).hasSize(2);
  }

  @Test
  void retry_deadAndFailedWithFreshBudget() {
    enqueue("app:1", D1, 10);
    for (int i = 0; i < POLICY.maxAttempts(); i++) {
      clock.advance(Duration.ofHours(1));
      finish(claimOne(), failure());
    }
    enqueue("app:2", D1, 10);
    finish(claimOne(), failure());
    enqueue("app:3", D1, 10);

    assertThat(count(tx -> admin.retry(tx, TaskFilter.all(), clock.instant()))).isEqualTo(2);
    for (String tag : List.of("app:1", "app:2")) {
      assertThat(status(tag).state()).isEqualTo(TaskState.PENDING);
      assertThat(status(tag).attempts()).isZero();
      assertThat(status(tag).nextAttempt()).isEqualTo(clock.instant());
    }
    assertThat(claim(10)).hasSize(3);
  }

  @Test
  void retry_byStateAndDestination() {
    enqueue("app:1", D1, 10);
    finish(claimOne(), failure());
    assertThat(count(tx -> admin.retry(tx, TaskFilter.state(TaskState.DEAD), clock.instant()))).isZero();
    assertThat(count(tx -> admin.retry(tx, TaskFilter.destination("dc3:1"), clock.instant()))).isZero();
    assertThat(count(tx -> admin.retry(tx, TaskFilter.destination(DC2), clock.instant()))).isEqualTo(1);
  }

  @Test
  void cancel_keepsTaskDeadAndRetrySkipsIt() {
    enqueue("app:1", D1, 10);
    List<SqliteTaskAdmin.WaitingTask> waiting = db.db().read(c -> admin.waiting(c, 0, 10));
    assertThat(count(tx -> admin.cancel(tx, waiting, "rule gone", clock.instant()))).isEqualTo(1);
    TaskStatus s = status("app:1");
    assertThat(s.state()).isEqualTo(TaskState.DEAD);
    assertThat(s.lastError()).isEqualTo("cancelled: rule gone");
    assertThat(count(tx -> admin.retry(tx, TaskFilter.all(), clock.instant()))).isZero();
  }

  @Test
  void cancel_skipsTaskReplacedMeanwhile() {
    enqueue("app:1", D1, 10);
    List<SqliteTaskAdmin.WaitingTask> waiting = db.db().read(c -> admin.waiting(c, 0, 10));
    enqueue("app:1", D2, 20);
    assertThat(count(tx -> admin.cancel(tx, waiting, "rule gone", clock.instant()))).isZero();
    assertThat(status("app:1").state()).isEqualTo(TaskState.PENDING);
  }

  @Test
  void purgeDone_onlyPastRetention() {
    enqueue("app:1", D1, 10);
    enqueue("app:2", D1, 10);
    finish(claimOne(), TaskResult.DONE);
    clock.advance(Duration.ofDays(8));
    assertThat(count(tx -> admin.purgeDone(tx, clock.instant().minus(Duration.ofDays(7))))).isEqualTo(1);
    assertThat(statuses("app:1")).isEmpty();
    assertThat(status("app:2").state()).isEqualTo(TaskState.PENDING);
  }

  @Test
  void stats_countsByStateAndOldestUnfinished() {
    Instant first = clock.instant();
    enqueue("app:1", D1, 10);
    clock.advance(Duration.ofSeconds(1));
    enqueue("app:2", D1, 10);
    finish(claimOne(), TaskResult.DONE);
    TaskQueries.Stats stats = db.db().read(queries::stats);
    assertThat(stats.count(DC2, TaskState.DONE)).isEqualTo(1);
    assertThat(stats.count(DC2, TaskState.PENDING)).isEqualTo(1);
    assertThat(stats.count(DC2, TaskState.DEAD)).isZero();
    assertThat(stats.oldestUnfinished()).containsEntry(DC2, first.plusSeconds(1));
  }

  private List<String> pages(TaskFilter filter) {
    List<String> seen = new java.util.ArrayList<>();
    TaskQueries.Cursor after = TaskQueries.Cursor.START;
    for (TaskQueries.Slice s = page(filter, after); !s.tasks().isEmpty(); s = page(filter, after)) {
      s.tasks().forEach(t -> seen.add(t.tag().name() + "@" + t.destination()));
      after = TaskQueries.Cursor.fromToken(s.last().token());
    }
    return seen;
  }

  private TaskQueries.Slice page(TaskFilter filter, TaskQueries.Cursor after) {
    return db.db().read(c -> queries.page(c, filter, after, 2));
  }

  @Test
  void page_keysetWithEveryFilter() {
    for (int i = 0; i < 3; i++) {
      enqueue("app:" + i, D1, 10);
      TagRecord r = new TagRecord(Tag.parse("app:" + i), D1, new Generation(10), clock.instant());
      db.db().write(tx -> queue.enqueue(tx, TaskSpec.of(r, "dc1:1", List.of(), Priority.WRITE, clock.instant()), clock.instant()));
    }
    finish(claimOne(), TaskResult.DONE);

    assertThat(pages(TaskFilter.all())).containsExactly(
        "0@dc2:15004", "0@dc1:1", "1@dc2:15004", "1@dc1:1", "2@dc2:15004", "2@dc1:1");
    assertThat(pages(TaskFilter.state(TaskState.PENDING))).as("by destination, then id").containsExactly(
        "0@dc1:1", "1@dc1:1", "2@dc1:1", "1@dc2:15004", "2@dc2:15004");
    assertThat(pages(new TaskFilter(TaskState.PENDING, DC2))).containsExactly("1@dc2:15004", "2@dc2:15004");
    assertThat(pages(TaskFilter.destination("dc1:1"))).containsExactly("0@dc1:1", "1@dc1:1", "2@dc1:1");
  }

  @Test
  void schema_checkHoldsNextAttemptInvariant() {
    enqueue("app:1", D1, 10);
    assertThatThrownBy(() -> db.db().write(tx -> {
      try (var s = tx.createStatement()) {
        return s.executeUpdate("UPDATE replication_tasks SET state = 'done'");
      }
    })).hasRootCauseInstanceOf(SQLException.class);
    assertThat(Optional.of(status("app:1").state())).contains(TaskState.PENDING);
  }
}
