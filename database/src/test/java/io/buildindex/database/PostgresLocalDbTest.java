package io.buildindex.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.database.testing.PostgresFixture;
import io.buildindex.database.testing.SqliteFixture;
import io.buildindex.testing.Poll;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** {@link PostgresLocalDb} on a real PostgreSQL server ({@link PostgresFixture}). */
final class PostgresLocalDbTest {
  private static final String MODULE = SqliteFixture.TEST_MODULE;

  private PostgresFixture pg;
  private MetricRegistry metrics;
  private LocalDb db;
  private ExecutorService pool;

  @BeforeEach
  void setUp() {
    pg = PostgresFixture.create();
    metrics = new MetricRegistry();
    db = pg.open(metrics, "othertest", MODULE);
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    pg.close();
  }

  @Test
  void dialect_isPostgres() {
    assertThat(db.dialect()).isEqualTo(Dialect.POSTGRES);
    assertThat(db.dialect().shared()).isTrue();
  }

  @Test
  void write_returnsTheResultAndIsVisibleToReadsOfEveryNode() {
    LocalDb other = pg.open();
    for (int id = 1; id <= 20; id++) {
      int written = id;
      String result = db.write(tx -> {
        insertItem(tx, written, "item-" + written);
        return "done-" + written;
      });

      assertThat(result).isEqualTo("done-" + id);
      assertThat(itemIds(other)).hasSize(id).contains(id);
    }
  }

  @Test
  void write_sqlException_rolledBackAndRethrownAsStoreUnavailable() {
    db.write(tx -> insertItem(tx, 1, "one"));

    assertThatThrownBy(() -> db.write(tx -> {
      insertItem(tx, 2, "two");
      return insertItem(tx, 1, "duplicate"); // primary key violation
    })).isInstanceOf(StoreUnavailableException.class).hasCauseInstanceOf(SQLException.class);

    assertThat(itemIds(db)).containsExactly(1);
  }

  @Test
  void write_runtimeException_rethrownAsIsAndRolledBack() {
    IllegalArgumentException thrown = new IllegalArgumentException("bad input");

    assertThatThrownBy(() -> db.write(tx -> {
      insertItem(tx, 1, "one");
      throw thrown;
    })).isSameAs(thrown);

    assertThat(itemIds(db)).isEmpty();
  }

  @Test
  void write_serializationFailure_retriedUntilItSucceeds() {
    AtomicInteger calls = new AtomicInteger();

    String result = db.write(tx -> {
      insertItem(tx, calls.incrementAndGet(), "attempt");
      if (calls.get() < 3) {
        throw new SQLException("could not serialize access", "40001");
      }
      return "committed";
    });

    assertThat(result).isEqualTo("committed");
    assertThat(itemIds(db)).containsExactly(3); // the failed attempts rolled back
    // The first failure ends the write's group commit, which hands it to its caller to run alone;
    // the second is a retry of that run.
    assertThat(metrics.counter("localdb.batch_splits").getCount()).isEqualTo(1);
    assertThat(metrics.counter("localdb.write_retries").getCount()).isEqualTo(1);
  }

  @Test
  void write_serializationFailureEveryTime_givesUpAfterBoundedAttempts() {
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(() -> db.write(tx -> {
      calls.incrementAndGet();
      throw new SQLException("could not serialize access", "40001");
    })).isInstanceOf(StoreUnavailableException.class);

    assertThat(calls.get()).as("once in a group commit, then alone with bounded retries").isEqualTo(1 + PostgresLocalDb.MAX_ATTEMPTS);
  }

  @Test
  void write_twoNodesLockingRowsInOppositeOrders_partAfterTheLockTimeoutAndBothCommit() throws Exception {
    MetricRegistry otherMetrics = new MetricRegistry();
    LocalDb other = pg.open(otherMetrics, "othertest", MODULE);
    db.write(tx -> insertItem(tx, 1, "a") + insertItem(tx, 2, "b"));
    CyclicBarrier bothHoldOneRow = new CyclicBarrier(2);
    AtomicInteger attempts = new AtomicInteger();

    Future<?> first = pool.submit(() -> db.write(tx -> lockBoth(tx, 1, 2, bothHoldOneRow, attempts)));
    Future<?> second = pool.submit(() -> other.write(tx -> lockBoth(tx, 2, 1, bothHoldOneRow, attempts)));
    first.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    second.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);

    // Each node's group commit waits for the other's row at most the batch lock timeout, then its
    // write runs alone (and, should it deadlock again there, PostgreSQL aborts one and it is retried).
    assertThat(metrics.counter("localdb.batch_splits").getCount() + otherMetrics.counter("localdb.batch_splits").getCount())
        .isGreaterThanOrEqualTo(1);
    assertThat(attempts.get()).isGreaterThanOrEqualTo(3);
    assertThat(names(db)).containsExactly("a++", "b++");
  }

  @Test
  void write_concurrentWrites_committedTogetherInFewerTransactions() throws Exception {
    int writes = 200;
    CyclicBarrier start = new CyclicBarrier(writes);
    List<Future<Integer>> results = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int id = 1; id <= writes; id++) {
        int written = id;
        results.add(threads.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          return db.write(tx -> insertItem(tx, written, "item-" + written) * written);
        }));
      }
      for (int id = 1; id <= writes; id++) {
        assertThat(results.get(id - 1).get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).as("its own result").isEqualTo(id);
      }
    }

    assertThat(itemIds(pg.open())).hasSize(writes);
    var batches = metrics.histogram("localdb.commit_batch_size");
    assertThat(batches.getSnapshot().getMax()).as("some writes shared a transaction").isGreaterThan(1);
    assertThat(batches.getCount()).as("transactions").isLessThan(writes);
    assertThat(batches.getSnapshot().getMax()).isLessThanOrEqualTo(PostgresGroupCommit.MAX_BATCH);
  }

  @Test
  void write_oneFailingWriteOfAGroupCommit_failsAloneAndTheOthersCommit() throws Exception {
    db.write(tx -> insertItem(tx, 1, "taken"));
    CountDownLatch release = new CountDownLatch(1);
    Future<?> holder = holdTheWriter(2, release); // the next writes queue up and share one batch
    Future<?> duplicate = pool.submit(() -> db.write(tx -> insertItem(tx, 1, "duplicate")));
    List<Future<Integer>> good = new ArrayList<>();
    for (int id = 10; id < 15; id++) {
      int written = id;
      good.add(pool.submit(() -> db.write(tx -> insertItem(tx, written, "good"))));
    }
    Poll.until(Poll.DEADLINE, "6 writes queued", () -> metrics.getGauges().get("localdb.write_queue").getValue().equals(6));
    release.countDown();

    holder.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    assertThatThrownBy(() -> duplicate.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
        .hasCauseInstanceOf(StoreUnavailableException.class).hasMessageContaining("duplicate key");
    for (Future<Integer> f : good) {
      assertThat(f.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(1);
    }
    assertThat(itemIds(db)).containsExactly(1, 2, 10, 11, 12, 13, 14);
    assertThat(names(db).get(0)).isEqualTo("taken");
    assertThat(metrics.counter("localdb.batch_splits").getCount()).isEqualTo(1);
  }

  @Test
  void write_bulkStep_runsOnceForTheWritesOfAGroupCommit_inOrder_andEachOpGetsItsResult() throws Exception {
    List<List<Integer>> calls = new CopyOnWriteArrayList<>();
    LocalDb.Bulk<Integer, String> bulk = insertItems(calls);
    CountDownLatch release = new CountDownLatch(1);
    Future<?> holder = holdTheWriter(1, release); // the next writes queue up and share one batch
    List<Future<String>> bulkWrites = new ArrayList<>();
    for (int id = 10; id < 15; id++) {
      int written = id;
      bulkWrites.add(pool.submit(() -> db.write(bulk, written, (tx, done) -> done == null ? "alone" : done + " " + written)));
      Poll.until(Poll.DEADLINE, "write " + id + " queued", () -> metrics.getGauges().get("localdb.write_queue").getValue().equals(written - 9));
    }
    Future<Integer> plain = pool.submit(() -> db.write(tx -> insertItem(tx, 20, "plain")));
    Poll.until(Poll.DEADLINE, "6 writes queued", () -> metrics.getGauges().get("localdb.write_queue").getValue().equals(6));
    release.countDown();

    holder.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    for (int i = 0; i < bulkWrites.size(); i++) {
      assertThat(bulkWrites.get(i).get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("bulk " + (10 + i));
    }
    assertThat(plain.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(1);
    assertThat(calls).as("one statement for the five writes, their keys in order").containsExactly(List.of(10, 11, 12, 13, 14));
    assertThat(itemIds(db)).containsExactly(1, 10, 11, 12, 13, 14, 20);
  }

  @Test
  void write_bulkStepOfAFailedBatch_rolledBack_andEachWriteRunsAloneWithoutIt() throws Exception {
    db.write(tx -> insertItem(tx, 1, "taken"));
    List<List<Integer>> calls = new CopyOnWriteArrayList<>();
    LocalDb.Bulk<Integer, String> bulk = insertItems(calls);
    CountDownLatch release = new CountDownLatch(1);
    Future<?> holder = holdTheWriter(2, release);
    List<Future<String>> bulkWrites = new ArrayList<>();
    for (int id = 10; id < 13; id++) {
      int written = id;
      bulkWrites.add(pool.submit(() -> db.write(bulk, written, (tx, done) -> {
        if (done == null) {
          insertItem(tx, written, "alone");
          return "alone";
        }
        return done;
      })));
    }
    Future<?> duplicate = pool.submit(() -> db.write(tx -> insertItem(tx, 1, "duplicate")));
    Poll.until(Poll.DEADLINE, "4 writes queued", () -> metrics.getGauges().get("localdb.write_queue").getValue().equals(4));
    release.countDown();

    holder.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    assertThatThrownBy(() -> duplicate.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
        .hasCauseInstanceOf(StoreUnavailableException.class).hasMessageContaining("duplicate key");
    for (Future<String> f : bulkWrites) {
      assertThat(f.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("alone");
    }
    assertThat(calls).as("the bulk step ran once, in the batch that failed").hasSize(1);
    assertThat(itemIds(db)).containsExactly(1, 2, 10, 11, 12);
    assertThat(names(db)).containsExactly("taken", "holder", "alone", "alone", "alone");
  }

  /** A bulk step that inserts items {@code keys} in one statement, recording each call's keys; "bulk" per key. */
  private static LocalDb.Bulk<Integer, String> insertItems(List<List<Integer>> calls) {
    return (tx, keys) -> {
      calls.add(List.copyOf(keys));
      try (PreparedStatement ps = tx.prepareStatement("INSERT INTO items (id, name) SELECT id, 'bulk' FROM unnest(?::int[]) AS t(id)")) {
        ps.setArray(1, tx.createArrayOf("int4", keys.toArray()));
        assertThat(ps.executeUpdate()).isEqualTo(keys.size());
      }
      return keys.stream().map(k -> "bulk").toList();
    };
  }

  @Test
  void write_rowLockedByAnotherNodeForLong_holdsUpOnlyTheWriteThatNeedsIt() throws Exception {
    db.write(tx -> insertItem(tx, 1, "locked"));
    LocalDb other = pg.open();
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // Another node's transaction holds row 1 until released (a node frozen mid-write).
    Future<?> holder = pool.submit(() -> other.write(tx -> {
      append(tx, 1);
      locked.countDown();
      await(release);
      return 0;
    }));
    assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();

    Future<?> blocked = pool.submit(() -> db.write(tx -> {
      append(tx, 1);
      return 0;
    }));
    // While that write waits for row 1 (alone, after its batch gave up on the lock), others commit.
    for (int id = 10; id < 30; id++) {
      int written = id;
      int inserted = db.write(tx -> insertItem(tx, written, "free"));
      assertThat(inserted).isEqualTo(1);
    }
    assertThat(blocked).isNotDone();
    assertThat(metrics.counter("localdb.batch_splits").getCount()).isGreaterThanOrEqualTo(1);

    release.countDown();
    holder.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    blocked.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(names(db).get(0)).isEqualTo("locked++");
  }

  @Test
  void close_letsQueuedWritesCommit() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Future<?> holder = holdTheWriter(1, release);
    List<Future<Integer>> queued = new ArrayList<>();
    for (int id = 2; id <= 5; id++) {
      int written = id;
      queued.add(pool.submit(() -> db.write(tx -> insertItem(tx, written, "queued"))));
    }
    Poll.until(Poll.DEADLINE, "4 writes queued", () -> metrics.getGauges().get("localdb.write_queue").getValue().equals(4));

    Future<?> closing = pool.submit(db::close);
    release.countDown();
    closing.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);

    holder.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    for (Future<Integer> f : queued) {
      assertThat(f.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(1);
    }
    assertThat(itemIds(pg.open())).containsExactly(1, 2, 3, 4, 5);
    assertThatThrownBy(() -> db.write(tx -> insertItem(tx, 6, "late"))).isInstanceOf(StoreUnavailableException.class);
  }

  /** Submits a write of item {@code id} that holds the writer until {@code release}; returns once it runs. */
  private Future<?> holdTheWriter(int id, CountDownLatch release) throws InterruptedException {
    CountDownLatch running = new CountDownLatch(1);
    Future<?> holder = pool.submit(() -> db.write(tx -> {
      running.countDown();
      await(release);
      return insertItem(tx, id, "holder");
    }));
    assertThat(running.await(10, TimeUnit.SECONDS)).as("the holding write runs").isTrue();
    return holder;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Locks row {@code a}, waits (first attempts only) until the other write holds row {@code b}, then locks {@code b}. */
  private static int lockBoth(Connection tx, int a, int b, CyclicBarrier barrier, AtomicInteger attempts) throws SQLException {
    boolean firstRound = attempts.incrementAndGet() <= 2;
    append(tx, a);
    if (firstRound) {
      try {
        barrier.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
        throw new IllegalStateException(e);
      }
    }
    append(tx, b);
    return 0;
  }

  private static void append(Connection tx, int id) throws SQLException {
    try (PreparedStatement ps = tx.prepareStatement("UPDATE items SET name = name || '+' WHERE id = ?")) {
      ps.setInt(1, id);
      ps.executeUpdate();
    }
  }

  @Test
  void migrate_recordsEachVersionOfEachModule_andRunsNothingTheSecondTime() {
    db.migrate(MODULE);
    pg.open(MODULE, "othertest"); // another node starting on the same database

    assertThat(migrations(MODULE)).containsExactly(Map.entry(1, "V001__items.sql"), Map.entry(2, "V002__seed.sql"));
    assertThat(migrations("othertest")).containsExactly(Map.entry(1, "V001__others.sql"));
    assertThat(seedRows()).isEqualTo(1);
  }

  @Test
  void migrate_nodesStartingTogether_applyEachMigrationOnce() throws Exception {
    PostgresFixture fresh = PostgresFixture.create();
    try {
      List<LocalDb> nodes = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        nodes.add(fresh.open());
      }
      CyclicBarrier start = new CyclicBarrier(nodes.size());
      List<Future<?>> done = new ArrayList<>();
      for (LocalDb node : nodes) {
        done.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          node.migrate(MODULE);
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS); // none failed on a duplicate table or row
      }

      assertThat(countRows(nodes.get(0), "seeds")).isEqualTo(1);
    } finally {
      fresh.close();
    }
  }

  @Test
  void migrate_databaseNewerThanThisBuild_refusedWithAClearError() {
    db.write(tx -> {
      try (PreparedStatement ins = tx.prepareStatement(
          "INSERT INTO schema_migrations (module, version, name) VALUES (?, 3, 'V003__from_the_future.sql')")) {
        ins.setString(1, MODULE);
        return ins.executeUpdate();
      }
    });

    assertThatThrownBy(() -> pg.open(MODULE))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("schema of localdbtest is at version 3, newer than this build knows (2)");
  }

  @Test
  void migrate_failingMigration_rollsBackWholeAndStaysUnrecorded() {
    assertThatThrownBy(() -> db.migrate("broken")).isInstanceOf(StoreUnavailableException.class);

    assertThat(migrations("broken")).containsExactly(Map.entry(1, "V001__ok.sql"));
  }

  @Test
  void migrate_moduleWithoutPostgresMigrations_namesTheMissingFile() {
    assertThatThrownBy(() -> db.migrate("gap"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("db/gap/postgres/migrations.txt");
  }

  @Test
  void notifyChange_deliveredToListenersOfEveryNodeOnCommitOnly() {
    LocalDb otherNode = pg.open();
    List<String> received = new CopyOnWriteArrayList<>();
    List<Boolean> states = new CopyOnWriteArrayList<>();
    LocalDb.Subscription sub = otherNode.listen("test_changes", listener(received, states));
    Poll.until(Poll.DEADLINE, "listening", sub::listening);

    assertThatThrownBy(() -> db.write(tx -> {
      db.notifyChange(tx, "test_changes", "rolled-back");
      throw new IllegalStateException("abort");
    })).isInstanceOf(IllegalStateException.class);
    db.write(tx -> {
      insertItem(tx, 1, "one");
      db.notifyChange(tx, "test_changes", "team/app:v1");
      return null;
    });
    db.write(tx -> {
      db.notifyChange(tx, "test_changes", "team/app:v2");
      return null;
    });

    Poll.until(Poll.DEADLINE, "both notifications", () -> received.size() >= 2, () -> received);
    assertThat(received).containsExactly("team/app:v1", "team/app:v2");
    assertThat(states).containsExactly(true);
  }

  @Test
  void notifyChange_concurrentWriters_everyAcknowledgedWriteAnnounced() throws Exception {
    LocalDb otherNode = pg.open();
    List<String> received = new CopyOnWriteArrayList<>();
    LocalDb.Subscription sub = otherNode.listen("test_changes", listener(received, new CopyOnWriteArrayList<>()));
    Poll.until(Poll.DEADLINE, "listening", sub::listening);

    // Many writers at once: their notices leave in shared batches, each writer's exactly once.
    writeAndNotifyConcurrently(200, id -> "team/app:v" + id);

    Poll.until(Poll.DEADLINE, "200 notifications", () -> received.size() >= 200, received::size);
    assertThat(received).hasSize(200).doesNotHaveDuplicates().allMatch(p -> p.startsWith("team/app:v"));
    assertThat(itemIds(db)).hasSize(200);
  }

  @Test
  void notifyChange_concurrentWriters_shareNotificationsOnTheWire_andLongBatchesAreSplit() throws Exception {
    // A raw LISTEN beside the node's listener: what PostgreSQL actually carries.
    List<String> onTheWire = new CopyOnWriteArrayList<>();
    try (Connection raw = pg.connect()) {
      raw.setAutoCommit(true);
      try (Statement s = raw.createStatement()) {
        s.execute("LISTEN test_changes");
      }
      LocalDb otherNode = pg.open();
      List<String> received = new CopyOnWriteArrayList<>();
      LocalDb.Subscription sub = otherNode.listen("test_changes", listener(received, new CopyOnWriteArrayList<>()));
      Poll.until(Poll.DEADLINE, "listening", sub::listening);
      String padding = "x".repeat(200); // 300 writes of ~215 bytes: more than one notification holds

      writeAndNotifyConcurrently(300, id -> "team/app:" + padding + id);

      Poll.until(Poll.DEADLINE, "300 notices", () -> received.size() >= 300, received::size);
      assertThat(received).hasSize(300).doesNotHaveDuplicates().allMatch(p -> p.startsWith("team/app:" + padding));
      PGConnection pgRaw = raw.unwrap(PGConnection.class);
      Poll.until(Poll.DEADLINE, "the raw listener has all 300", () -> {
        try {
          PGNotification[] got = pgRaw.getNotifications(100);
          if (got != null) {
            for (PGNotification n : got) {
              onTheWire.add(n.getParameter());
            }
          }
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
        return onTheWire.stream().mapToLong(n -> n.split("\n").length).sum() >= 300;
      }, onTheWire::size);
      assertThat(onTheWire.size()).as("notifications for 300 concurrent writes").isLessThan(300);
      assertThat(onTheWire).allMatch(n -> n.getBytes(StandardCharsets.UTF_8).length <= NoticePublisher.MAX_NOTIFICATION_BYTES);
    }
  }

  @Test
  void notifyChange_payloadOfSeveralLines_refused() {
    assertThatThrownBy(() -> db.write(tx -> {
      db.notifyChange(tx, "test_changes", "team/app:v1\nteam/app:v2");
      return null;
    })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one line");
  }

  @Test
  void listen_serverStoppedAndStarted_toldDownThenUpAgain_andWritesFailAsUnavailableMeanwhile() {
    List<String> received = new CopyOnWriteArrayList<>();
    List<Boolean> states = new CopyOnWriteArrayList<>();
    LocalDb.Subscription sub = db.listen("test_changes", listener(received, states));
    Poll.until(Poll.DEADLINE, "listening", sub::listening);

    pg.stopServer();
    try {
      Poll.until(Poll.DEADLINE, "listener told the connection is down", () -> !sub.listening(), () -> states);
      assertThatThrownBy(() -> db.write(tx -> insertItem(tx, 1, "lost")))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("unreachable");
      assertThatThrownBy(() -> db.read(PostgresLocalDbTest::itemIdsOn)).isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(db::check).isInstanceOf(StoreUnavailableException.class);
    } finally {
      pg.startServer();
    }

    Poll.until(Poll.DEADLINE, "listening again", sub::listening, () -> states);
    db.write(tx -> {
      insertItem(tx, 2, "after");
      db.notifyChange(tx, "test_changes", "after-restart");
      return null;
    });
    db.check();
    Poll.until(Poll.DEADLINE, "notification after restart", () -> received.contains("after-restart"), () -> received);
    assertThat(states).containsExactly(true, false, true);
    assertThat(itemIds(db)).containsExactly(2);
  }

  @Test
  void afterClose_everythingThrowsStoreUnavailable() {
    db.close();

    assertThatThrownBy(() -> db.write(tx -> insertItem(tx, 1, "x"))).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> db.read(PostgresLocalDbTest::itemIdsOn)).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(db::check).isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void open_unreachableServer_failsWithStoreUnavailable() {
    PostgresSettings nowhere = new PostgresSettings(
        "jdbc:postgresql://127.0.0.1:" + io.buildindex.testing.FreePorts.one() + "/x", "u", "p", 2);

    assertThatThrownBy(() -> Databases.postgres(nowhere, new MetricRegistry()))
        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("cannot open PostgreSQL database");
  }

  @Test
  void settings_neverPrintThePassword() {
    assertThat(pg.settings().toString()).doesNotContain(PostgresFixture.PASSWORD).contains(pg.url());
  }

  /** {@code count} writes at once, each inserting item {@code id} (1..count) and notifying {@code payload(id)}. */
  private void writeAndNotifyConcurrently(int count, IntFunction<String> payload) throws Exception {
    try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 1; i <= count; i++) {
        int id = i;
        done.add(writers.submit(() -> db.write(tx -> {
          insertItem(tx, id, "item" + id);
          db.notifyChange(tx, "test_changes", payload.apply(id));
          return null;
        })));
      }
      for (Future<?> f : done) {
        f.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  private static LocalDb.Listener listener(List<String> received, List<Boolean> states) {
    return new LocalDb.Listener() {
      @Override
      public void notified(String payload) {
        received.add(payload);
      }

      @Override
      public void listening(boolean up) {
        states.add(up);
      }
    };
  }

  private static int insertItem(Connection tx, int id, String name) throws SQLException {
    try (PreparedStatement ps = tx.prepareStatement("INSERT INTO items (id, name) VALUES (?, ?)")) {
      ps.setInt(1, id);
      ps.setString(2, name);
      return ps.executeUpdate();
    }
  }

  private static List<Integer> itemIds(LocalDb on) {
    return on.read(PostgresLocalDbTest::itemIdsOn);
  }

  private static List<Integer> itemIdsOn(Connection c) throws SQLException {
    List<Integer> ids = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM items ORDER BY id")) {
      while (rs.next()) {
        ids.add(rs.getInt(1));
      }
    }
    return ids;
  }

  private static List<String> names(LocalDb on) {
    return on.read(c -> {
      List<String> names = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM items ORDER BY id")) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
      return names;
    });
  }

  private int seedRows() {
    return countRows(db, "seeds");
  }

  private static int countRows(LocalDb on, String table) {
    return on.read(c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  private List<Map.Entry<Integer, String>> migrations(String module) {
    return db.read(c -> {
      List<Map.Entry<Integer, String>> rows = new ArrayList<>();
      try (PreparedStatement q = c.prepareStatement(
          "SELECT version, name FROM schema_migrations WHERE module = ? ORDER BY version")) {
        q.setString(1, module);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            rows.add(Map.entry(rs.getInt(1), rs.getString(2)));
          }
        }
      }
      return rows;
    });
  }
}
