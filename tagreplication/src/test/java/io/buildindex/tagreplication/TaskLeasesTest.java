package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.database.Dialect;
import io.buildindex.database.LocalDb;
import io.buildindex.database.testing.PostgresFixture;
import io.buildindex.database.testing.SqliteFixture;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.testing.FakeClock;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Leases of claimed tasks on a real database of each dialect (SQLite file, PostgreSQL fixture), as
 * two nodes hold them on a shared one: each "node" here is a set of claims, results and a lease
 * keeper under its own owner id.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
final class TaskLeasesTest {
  static final String DC2 = SqliteTaskQueueTest.DC2;
  static final Digest D1 = SqliteTaskQueueTest.D1;
  static final Digest D2 = SqliteTaskQueueTest.D2;
  static final Duration LEASE = Duration.ofSeconds(30);

  @Parameter Dialect dialect;
  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();
  private AutoCloseable fixture;
  private LocalDb db;
  private Node a;
  private Node b;

  /** One node's view of the queue. */
  private final class Node {
    final Lease lease;
    final SqliteTaskClaims claims;
    final SqliteTaskResults results;
    final LeaseKeeper keeper;

    Node(String id) {
      lease = new Lease(id, LEASE);
      claims = new SqliteTaskClaims(sql(), lease);
      results = new SqliteTaskResults(SqliteTaskQueueTest.POLICY, () -> 0L, id);
      keeper = new LeaseKeeper(db(), lease, clock);
    }

    List<ClaimedTask> claim() {
      List<ClaimedTask> tasks = db().write(tx -> claims.claim(tx, DC2, 10, clock.instant())).tasks();
      keeper.hold(tasks);
      return tasks;
    }

    int expire() {
      return db().write(tx -> claims.expireLeases(tx, clock.instant()));
    }

    SqliteTaskResults.Outcome finish(ClaimedTask t, TaskResult result) {
      List<Finished> batch = List.of(new Finished(t, result, clock.instant()));
      SqliteTaskResults.Outcome outcome = db().write(tx -> results.finish(tx, batch));
      keeper.release(batch);
      return outcome;
    }
  }

  TaskSql sql() {
    return TaskSql.of(db);
  }

  LocalDb db() {
    return db;
  }

  @BeforeEach
  void open() {
    if (dialect == Dialect.SQLITE) {
      SqliteFixture sqlite = SqliteFixture.open(dir, "tagstore", "tagreplication");
      fixture = sqlite;
      db = sqlite.db();
    } else {
      PostgresFixture pg = PostgresFixture.create();
      fixture = pg;
      db = pg.open("tagreplication");
    }
    a = new Node("node-a:15004");
    b = new Node("node-b:15004");
  }

  @AfterEach
  void close() throws Exception {
    fixture.close();
  }

  private void enqueue(String tag, Digest digest, long generation) {
    TagRecord record = new TagRecord(Tag.parse(tag), digest, new Generation(generation), clock.instant());
    TaskSpec spec = TaskSpec.of(record, DC2, List.of(digest), Priority.WRITE, clock.instant());
    db().write(tx -> new SqliteTaskQueue(sql()).enqueue(tx, spec, clock.instant()));
  }

  private TaskStatus status(String tag) {
    return db().read(c -> new TaskQueries().status(c, Tag.parse(tag))).get(0);
  }

  private record LeaseRow(String owner, long untilMs) {}

  private LeaseRow lease(String tag) {
    return db().read(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT lease_owner, lease_until_ms FROM replication_tasks WHERE tag = ?")) {
        q.setString(1, tag);
        try (ResultSet rs = q.executeQuery()) {
          rs.next();
          return new LeaseRow(rs.getString(1), rs.getLong(2));
        }
      }
    });
  }

  @Test
  void claim_recordsOwnerAndLeaseEnd() {
    enqueue("app:1", D1, 10);
    a.claim();
    assertThat(lease("app:1")).isEqualTo(new LeaseRow("node-a:15004", clock.instant().plus(LEASE).toEpochMilli()));
    assertThat(b.claim()).isEmpty();
  }

  @Test
  void expiredLease_returnsTaskToOtherNodesWithoutCountingAnAttempt() {
    enqueue("app:1", D1, 10);
    ClaimedTask byA = a.claim().get(0);
    clock.advance(LEASE.minusSeconds(1));
    assertThat(b.expire()).isZero();
    assertThat(b.claim()).isEmpty();

    clock.advance(Duration.ofSeconds(2));
    assertThat(b.expire()).isEqualTo(1);
    TaskStatus back = status("app:1");
    assertThat(back.state()).isEqualTo(TaskState.PENDING);
    assertThat(back.attempts()).isZero();
    assertThat(back.nextAttempt()).isEqualTo(clock.instant());
    ClaimedTask byB = b.claim().get(0);
    assertThat(lease("app:1").owner()).isEqualTo("node-b:15004");

    // A finishes late: the row is B's now, so A's result is not recorded and does not requeue it.
    assertThat(a.finish(byA, TaskResult.DONE).recorded()).isEmpty();
    assertThat(status("app:1").state()).isEqualTo(TaskState.RUNNING);
    assertThat(b.finish(byB, TaskResult.DONE).recorded()).hasSize(1);
    TaskStatus done = status("app:1");
    assertThat(done.state()).isEqualTo(TaskState.DONE);
    assertThat(done.attempts()).isEqualTo(1);
    assertThat(lease("app:1")).isEqualTo(new LeaseRow(null, 0));
  }

  @Test
  void renewal_keepsTheLeaseWhileTheTaskIsHeld() {
    enqueue("app:1", D1, 10);
    ClaimedTask t = a.claim().get(0);
    for (int i = 0; i < 4; i++) {
      clock.advance(LEASE.dividedBy(3));
      assertThat(a.keeper.renew()).isEqualTo(1);
      assertThat(b.expire()).isZero();
    }
    assertThat(lease("app:1").untilMs()).isEqualTo(clock.instant().plus(LEASE).toEpochMilli());
    a.finish(t, TaskResult.DONE);
    assertThat(a.keeper.held()).isZero();
    assertThat(a.keeper.renew()).isZero();
  }

  @Test
  void renewal_doesNotTakeBackATaskAnotherNodeHolds() {
    enqueue("app:1", D1, 10);
    a.claim();
    clock.advance(LEASE.plusSeconds(1));
    b.expire();
    b.claim();
    assertThat(a.keeper.renew()).isZero();
    assertThat(lease("app:1").owner()).isEqualTo("node-b:15004");
  }

  @Test
  void newerWrite_whileStaleOwnerFinishes_runsAfterTheCurrentOwner() {
    enqueue("app:1", D1, 10);
    ClaimedTask byA = a.claim().get(0);
    clock.advance(LEASE.plusSeconds(1));
    b.expire();
    ClaimedTask byB = b.claim().get(0);
    enqueue("app:1", D2, 20); // replaces the running row: it stays B's, running

    a.finish(byA, new TaskResult.Failed(FailureReason.CONNECT, "refused"));
    assertThat(status("app:1").state()).isEqualTo(TaskState.RUNNING);
    assertThat(b.finish(byB, TaskResult.DONE).wakes()).hasSize(1);
    TaskStatus s = status("app:1");
    assertThat(s.state()).isEqualTo(TaskState.PENDING);
    assertThat(s.digest()).isEqualTo(D2);
    assertThat(a.claim()).singleElement().satisfies(t -> assertThat(t.generation()).isEqualTo(new Generation(20)));
  }

  @Test
  void resetRunning_atStart_takesBackOwnLeases_onSqliteEveryLease() {
    enqueue("app:1", D1, 10);
    a.claim();
    enqueue("app:2", D1, 10);
    b.claim();
    int reset = db().write(tx -> new SqliteTaskAdmin(sql()).resetRunning(tx, "node-b:15004", clock.instant()));
    // SQLite: the starting node is the database's only one. Shared: A's lease is A's until it ends.
    assertThat(reset).isEqualTo(dialect == Dialect.SQLITE ? 2 : 1);
    assertThat(status("app:2").state()).isEqualTo(TaskState.PENDING);
    assertThat(lease("app:2")).isEqualTo(new LeaseRow(null, 0));
    assertThat(status("app:1").state()).isEqualTo(dialect == Dialect.SQLITE ? TaskState.PENDING : TaskState.RUNNING);
  }

  @Test
  void lease_renewsThreeTimesPerDuration() {
    assertThat(new Lease("n", Duration.ofSeconds(30)).renewEvery()).isEqualTo(Duration.ofSeconds(10));
    assertThat(new Lease("n", Duration.ofSeconds(30)).until(Instant.EPOCH)).isEqualTo(Instant.ofEpochSecond(30));
  }
}
