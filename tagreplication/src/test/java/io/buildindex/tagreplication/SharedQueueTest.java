package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.database.LocalDb;
import io.buildindex.database.testing.PostgresFixture;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's statements on a real PostgreSQL shared by concurrent writers (threads standing for
 * nodes, each op its own transaction): claims never hand one task to two claimers, racing enqueues
 * of one (tag, destination) keep one row with the newest generation, and the bulk statements
 * (retry, cancel, purge, listings, backfill and verification logs) run in this dialect.
 */
final class SharedQueueTest {
  static final String DC2 = SqliteTaskQueueTest.DC2;
  static final String DC3 = "dc3:15004";
  static final Duration LEASE = Duration.ofSeconds(30);

  private final FakeClock clock = new FakeClock();
  private PostgresFixture pg;
  private LocalDb db;
  private TaskSql sql;
  private ExecutorService threads;

  @BeforeEach
  void open() {
    pg = PostgresFixture.create();
    db = pg.open("tagreplication");
    sql = TaskSql.of(db);
    threads = Executors.newFixedThreadPool(6);
  }

  @AfterEach
  void close() {
    threads.shutdownNow();
    pg.close();
  }

  private TaskSpec spec(String tag, String destination, long generation) {
    Digest d = SqliteTaskQueueTest.digest((char) ('a' + (int) (generation % 6)));
    TagRecord record = new TagRecord(Tag.parse(tag), d, new Generation(generation), clock.instant());
    return TaskSpec.of(record, destination, List.of(d), Priority.WRITE, clock.instant());
  }

  private void enqueueAll(int n) {
    SqliteTaskQueue queue = new SqliteTaskQueue(sql);
    db.write(tx -> {
      for (int i = 0; i < n; i++) {
        queue.enqueue(tx, spec("app:" + i, DC2, 10), clock.instant());
      }
      return null;
    });
  }

  private <T> List<T> concurrently(int n, Callable<T> work) throws Exception {
    List<Future<T>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      futures.add(threads.submit(work));
    }
    List<T> out = new ArrayList<>();
    for (Future<T> f : futures) {
      out.add(f.get());
    }
    return out;
  }

  @Test
  void concurrentClaims_neverHandOneTaskToTwoNodes() throws Exception {
    enqueueAll(600);
    Instant now = clock.instant();
    List<List<Long>> claimed = concurrently(6, () -> {
      SqliteTaskClaims claims = new SqliteTaskClaims(sql, new Lease("node-" + Thread.currentThread().getId(), LEASE));
      List<Long> mine = new ArrayList<>();
      List<ClaimedTask> got;
      do {
        got = db.write(tx -> claims.claim(tx, DC2, 7, now)).tasks();
        got.forEach(t -> mine.add(t.id()));
      } while (!got.isEmpty());
      return mine;
    });
    List<Long> all = claimed.stream().flatMap(List::stream).toList();
    assertThat(all).hasSize(600).doesNotHaveDuplicates();
    // Shared between claimers rather than all taken by whichever started first.
    assertThat(claimed.stream().filter(mine -> !mine.isEmpty()).count()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void racingEnqueues_ofOneTag_keepOneRowWithTheNewestGeneration() throws Exception {
    List<Long> generations = new ArrayList<>();
    for (long g = 1; g <= 120; g++) {
      generations.add(g);
    }
    Collections.shuffle(generations, new java.util.Random(7));
    List<Long> queue = Collections.synchronizedList(new ArrayList<>(generations));
    concurrently(6, () -> {
      SqliteTaskQueue q = new SqliteTaskQueue(sql);
      while (true) {
        long g;
        synchronized (queue) {
          if (queue.isEmpty()) {
            return null;
          }
          g = queue.remove(0);
        }
        db.write(tx -> q.enqueue(tx, spec("app:race", DC2, g), clock.instant()));
      }
    });
    List<TaskStatus> rows = db.read(c -> new TaskQueries().status(c, Tag.parse("app:race")));
    assertThat(rows).singleElement().satisfies(s -> assertThat(s.generation()).isEqualTo(new Generation(120)));
  }

  @Test
  void bulkStatements_runOnPostgres() {
    enqueueAll(5);
    SqliteTaskClaims claims = new SqliteTaskClaims(sql, new Lease("node-a", LEASE));
    SqliteTaskResults results = new SqliteTaskResults(new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 1),
        () -> 0L, "node-a");
    List<ClaimedTask> tasks = db.write(tx -> claims.claim(tx, DC2, 5, clock.instant())).tasks();
    List<Finished> finished = List.of(
        new Finished(tasks.get(0), TaskResult.DONE, clock.instant()),
        new Finished(tasks.get(1), new TaskResult.Failed(FailureReason.CONNECT, "refused"), clock.instant()),
        new Finished(tasks.get(2), new TaskResult.Released(), clock.instant()));
    assertThat(db.write(tx -> results.finish(tx, finished)).recorded()).hasSize(3);

    SqliteTaskAdmin admin = new SqliteTaskAdmin(sql);
    assertThat(db.read(c -> new TaskQueries().stats(c)).count(DC2, TaskState.DEAD)).isEqualTo(1);
    List<String> retryable = db.write(tx -> admin.retryDestinations(tx, TaskFilter.all()));
    assertThat(retryable).containsExactly(DC2);
    assertThat((int) db.write(tx -> admin.retry(tx, TaskFilter.all(), clock.instant()))).isEqualTo(1);
    List<SqliteTaskAdmin.WaitingTask> waiting = db.read(c -> admin.waiting(c, 0, 10));
    assertThat(waiting).hasSize(2); // the released one and the retried one; two still running
    assertThat((int) db.write(tx -> admin.cancel(tx, waiting, "test", clock.instant()))).isEqualTo(2);
    clock.advance(Duration.ofHours(1));
    assertThat((int) db.write(tx -> admin.purgeDone(tx, clock.instant()))).isEqualTo(1);
    assertThat(db.read(c -> new TaskQueries().page(c, TaskFilter.state(TaskState.DEAD), TaskQueries.Cursor.START, 10))
        .tasks()).hasSize(2);
    long unfinished = db.read(c -> new TaskQueries().waiting(c, DC2));
    assertThat(unfinished).isEqualTo(2); // the two still running
    java.util.Optional<Instant> nextDue = db.read(c -> claims.nextDue(c, DC2));
    assertThat(nextDue).isEmpty();

    RemoteRules rules = RemoteRules.compile(Map.of(DC2, List.of("^app"), DC3, List.of("x")));
    SqliteBackfillLog backfills = new SqliteBackfillLog(sql);
    assertThat((int) db.write(tx -> backfills.sync(tx, rules, clock.instant()))).isEqualTo(2);
    assertThat((int) db.write(tx -> backfills.sync(tx, rules, clock.instant()))).isZero();
    SqliteVerificationLog verifications = new SqliteVerificationLog(sql);
    db.write(tx -> {
      verifications.sync(tx, rules, clock.instant());
      verifications.sync(tx, rules, clock.instant());
      return null;
    });
    assertThat(db.read(verifications::all)).hasSize(2);
    Set<String> destinations = new HashSet<>();
    db.read(backfills::all).forEach(r -> destinations.add(r.destination()));
    assertThat(destinations).containsExactlyInAnyOrder(DC2, DC3);
  }

  @Test
  void advance_takesTheEarlierDueWithLeast() {
    SqliteTaskQueue queue = new SqliteTaskQueue(sql);
    TaskSpec later = TaskSpec.of(new TagRecord(Tag.parse("app:1"), SqliteTaskQueueTest.D1, new Generation(5), clock.instant()),
        DC2, List.of(), Priority.BACKFILL, clock.instant().plusSeconds(60));
    db.write(tx -> queue.enqueue(tx, later, clock.instant()));
    TaskSpec sooner = TaskSpec.of(new TagRecord(Tag.parse("app:1"), SqliteTaskQueueTest.D1, new Generation(5), clock.instant()),
        DC2, List.of(), Priority.WRITE, clock.instant().plusSeconds(5));
    boolean changed = db.write(tx -> queue.enqueue(tx, sooner, clock.instant()));
    assertThat(changed).isTrue();
    TaskStatus s = db.read(c -> new TaskQueries().status(c, Tag.parse("app:1"))).get(0);
    assertThat(s.nextAttempt()).isEqualTo(clock.instant().plusSeconds(5));
    assertThat(s.backfill()).isFalse();
  }
}
