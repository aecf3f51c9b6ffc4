package io.buildindex.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.Gauge;
import io.buildindex.database.testing.SqliteFixture;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

final class LocalDbTest {
  private static final Logger log = LoggerFactory.getLogger(LocalDbTest.class);
  /** A second test-only module, {@code db/othertest}: migrations are recorded per module. */
  private static final String OTHER_MODULE = "othertest";

  @TempDir Path dir;
  private SqliteFixture fixture;
  private LocalDb db;
  private ExecutorService pool;

  @BeforeEach
  void setUp() {
    fixture = SqliteFixture.open(dir, OTHER_MODULE, SqliteFixture.TEST_MODULE);
    db = fixture.db();
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    fixture.close();
  }

  @Test
  void write_visibleToEveryReadAfterItReturns() {
    for (int id = 1; id <= 50; id++) {
      int written = id;
      db.write(tx -> insertItem(tx, written, "item-" + written));

      assertThat(itemIds()).hasSize(id).contains(id);
    }
  }

  @Test
  void write_returnsTheOpsResult() {
    String result = db.write(tx -> {
      insertItem(tx, 1, "one");
      return "done";
    });

    assertThat(result).isEqualTo("done");
  }

  @Test
  void write_sqlException_rethrownAsStoreUnavailableAndRolledBack() {
    SQLException cause = new SQLException("disk on fire");

    assertThatThrownBy(() -> db.write(tx -> {
      insertItem(tx, 1, "one");
      throw cause;
    })).isInstanceOf(StoreUnavailableException.class).hasCause(cause).hasMessageContaining("disk on fire");
    assertThat(itemIds()).isEmpty();
  }

  @Test
  void write_constraintViolation_rolledBackWithTheOpsEarlierChanges() {
    db.write(tx -> insertItem(tx, 1, "one"));

    assertThatThrownBy(() -> db.write(tx -> {
      insertItem(tx, 2, "two");
      return insertItem(tx, 1, "duplicate");
    })).isInstanceOf(StoreUnavailableException.class).hasCauseInstanceOf(SQLException.class);
    assertThat(itemIds()).containsExactly(1);
  }

  @Test
  void write_runtimeException_rethrownAsIsAndRolledBack() {
    IllegalStateException cause = new IllegalStateException("bad state");

    assertThatThrownBy(() -> db.write(tx -> {
      insertItem(tx, 1, "one");
      throw cause;
    })).isSameAs(cause);
    assertThat(itemIds()).isEmpty();
  }

  /*
   * Holds the writer inside a first op so the others queue up, waits (by the write_queue gauge)
   * until all are queued, then lets go: the writer must take them as one batch. So the batch is
   * guaranteed, not hoped for, and the failing ops share a transaction with the good ones.
   */
  @Test
  void write_failingOpsInOneBatch_rollBackAloneWhileTheOthersCommit() throws Exception {
    int queued = 30;
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Integer> blocker = pool.submit(() -> db.write(tx -> {
      holding.countDown();
      await(release);
      return insertItem(tx, 1000, "blocker");
    }));
    List<Future<Integer>> writes = new ArrayList<>();
    try {
      await(holding);
      for (int i = 0; i < queued; i++) {
        int id = i;
        writes.add(pool.submit(() -> db.write(tx -> opThatFailsEveryThird(tx, id))));
      }
      Poll.until(Poll.DEADLINE, queued + " writes queued behind the held one", () -> writeQueueSize() == queued);
    } finally {
      release.countDown();
    }

    assertThat(blocker.get()).isEqualTo(1000);
    Set<Integer> expected = new TreeSet<>(Set.of(1000));
    for (int id = 0; id < queued; id++) {
      Future<Integer> write = writes.get(id);
      switch (id % 3) {
        case 0 -> assertThatThrownBy(write::get).cause()
            .isInstanceOf(StoreUnavailableException.class).hasCauseInstanceOf(SQLException.class);
        case 1 -> assertThatThrownBy(write::get).cause().isInstanceOf(IllegalStateException.class);
        default -> {
          assertThat(write.get()).isEqualTo(id);
          expected.add(id);
        }
      }
    }
    assertThat(itemIds()).containsExactlyElementsOf(expected);
    assertThat(maxBatchSize()).isGreaterThanOrEqualTo(queued);
  }

  /**
   * The ops of a batch run one after another in its transaction, each once, and see the writes
   * before them; none failing, the batch is not split. The run counter is an effect outside the
   * transaction on purpose: it shows how often each op ran.
   */
  @Test
  void write_batchWithoutFailures_eachOpRunsOnce_inOrder_seeingTheOnesBefore() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    Future<Integer> holder = holdTheWriter(release);
    List<Future<Integer>> writes = queueInOrder(10, 20, id -> tx -> {
      runs.incrementAndGet();
      insertItem(tx, id, "item");
      return countItems(tx);
    });
    release.countDown();

    holder.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    for (int i = 0; i < writes.size(); i++) {
      assertThat(writes.get(i).get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).as("items seen by write %d", i).isEqualTo(i + 2);
    }
    assertThat(runs.get()).isEqualTo(10);
    assertThat(maxBatchSize()).isEqualTo(10);
    assertThat(batchSplits()).isZero();
    assertThat(itemIds()).containsExactly(1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
  }

  /** One op of a batch fails: the batch runs again, each op in its own savepoint; the others commit once. */
  @Test
  void write_failingOpInABatch_theOthersRunAgainAlone_andCommitOnce() throws Exception {
    Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
    CountDownLatch release = new CountDownLatch(1);
    Future<Integer> holder = holdTheWriter(release);
    List<Future<Integer>> writes = queueInOrder(10, 15, id -> tx -> {
      runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      insertItem(tx, id, "item");
      if (id == 12) {
        throw new IllegalStateException("op 12 fails");
      }
      return countItems(tx);
    });
    release.countDown();

    holder.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(writes.get(0).get()).isEqualTo(2);
    assertThat(writes.get(1).get()).isEqualTo(3);
    assertThatThrownBy(writes.get(2)::get).cause().isInstanceOf(IllegalStateException.class).hasMessage("op 12 fails");
    assertThat(writes.get(3).get()).as("op 12's insert rolled back before op 13 ran").isEqualTo(4);
    assertThat(writes.get(4).get()).isEqualTo(5);
    assertThat(runs.get(10).get()).as("ran in the batch, then again alone").isEqualTo(2);
    assertThat(runs.get(12).get()).isEqualTo(2);
    assertThat(runs.get(13).get()).as("never reached in the batch: ran alone only").isEqualTo(1);
    assertThat(batchSplits()).isEqualTo(1);
    assertThat(itemIds()).containsExactly(1, 10, 11, 13, 14);
  }

  /**
   * Writes item 1 ("holder") and holds the writer inside that write until {@code release}: the next
   * writes queue up and share a batch.
   */
  private Future<Integer> holdTheWriter(CountDownLatch release) {
    CountDownLatch holding = new CountDownLatch(1);
    Future<Integer> holder = pool.submit(() -> db.write(tx -> {
      holding.countDown();
      await(release);
      return insertItem(tx, 1, "holder");
    }));
    await(holding);
    return holder;
  }

  /**
   * Writes {@code op(id)} for ids {@code from} (inclusive) to {@code to} (exclusive), each from its
   * own thread, in that order in the write queue (each is queued before the next is sent): behind
   * {@link #holdTheWriter}, they share the next batch.
   */
  private List<Future<Integer>> queueInOrder(int from, int to, IntFunction<LocalDb.WriteOp<Integer>> op) {
    List<Future<Integer>> writes = new ArrayList<>();
    int queuedBefore = writeQueueSize();
    for (int id = from; id < to; id++) {
      LocalDb.WriteOp<Integer> write = op.apply(id);
      writes.add(pool.submit(() -> db.write(write)));
      int queued = queuedBefore + writes.size();
      Poll.until(Poll.DEADLINE, "write " + id + " queued", () -> writeQueueSize() == queued);
    }
    return writes;
  }

  private static int countItems(Connection tx) throws SQLException {
    try (PreparedStatement q = tx.prepareStatement("SELECT count(*) FROM items"); ResultSet rs = q.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private long batchSplits() {
    return fixture.metrics().counter("localdb.batch_splits").getCount();
  }

  /*
   * The same with free-running threads: how many writes share a commit depends on timing, so this
   * asserts only correctness and logs the largest batch seen (surefire's -output.txt).
   */
  @Test
  void write_manyConcurrentWritersWithFailures_exactlyTheSuccessfulOpsCommit() throws Exception {
    int threads = 32;
    int perThread = 60;
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger sqlFailures = new AtomicInteger();
    AtomicInteger runtimeFailures = new AtomicInteger();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        await(start);
        for (int i = 0; i < perThread; i++) {
          int id = thread * 1000 + i;
          try {
            int written = db.write(tx -> opThatFailsEveryThird(tx, id));
            assertThat(written).isEqualTo(id);
          } catch (StoreUnavailableException e) {
            assertThat(e).hasCauseInstanceOf(SQLException.class);
            sqlFailures.incrementAndGet();
          } catch (IllegalStateException e) {
            runtimeFailures.incrementAndGet();
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get();
    }

    Set<Integer> expected = new TreeSet<>();
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i++) {
        int id = t * 1000 + i;
        if (id % 3 == 2) {
          expected.add(id);
        }
      }
    }
    assertThat(itemIds()).containsExactlyElementsOf(expected);
    assertThat(sqlFailures.get() + runtimeFailures.get() + expected.size()).isEqualTo(threads * perThread);
    log.info("free-running writers: largest localdb.commit_batch_size was {}", maxBatchSize());
  }

  /**
   * The connections are opened NOMUTEX (SQLite does no locking of its own): this holds only while
   * the pool hands each reader connection to one thread at a time and the writer's stays on the
   * writer thread. Many virtual threads read while writes commit one after another; every read
   * must see a whole committed prefix, never less than an earlier read of the same thread.
   */
  @Test
  void read_manyThreadsWhileWritesCommit_eachSeesACommittedPrefixThatNeverShrinks() throws Exception {
    int writes = 300;
    int readers = 16;
    AtomicBoolean writing = new AtomicBoolean(true);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> lastSeen = new ArrayList<>();
    try (ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int r = 0; r < readers; r++) {
        lastSeen.add(virtualThreads.submit(() -> {
          await(start);
          int seen = 0;
          boolean last = false;
          while (!last) {
            last = !writing.get(); // one more read once the writes have ended (or failed)
            int[] countAndMax = db.read(c -> {
              try (PreparedStatement q = c.prepareStatement("SELECT count(*), coalesce(max(id), 0) FROM items");
                  ResultSet rs = q.executeQuery()) {
                rs.next();
                return new int[] {rs.getInt(1), rs.getInt(2)};
              }
            });
            assertThat(countAndMax[0]).as("rows 1..max, all of them").isEqualTo(countAndMax[1]);
            assertThat(countAndMax[0]).as("never fewer than this thread saw before").isGreaterThanOrEqualTo(seen);
            seen = countAndMax[0];
          }
          return seen;
        }));
      }
      start.countDown();
      try {
        for (int id = 1; id <= writes; id++) {
          int written = id;
          db.write(tx -> insertItem(tx, written, "item-" + written));
        }
      } finally {
        writing.set(false);
      }
      for (Future<Integer> f : lastSeen) {
        assertThat(f.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(writes);
      }
    }
  }

  @Test
  void read_whileAWriteTransactionIsOpen_seesTheLastCommitWithoutWaiting() throws Exception {
    db.write(tx -> insertItem(tx, 1, "committed"));
    CountDownLatch inserted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Integer> write = pool.submit(() -> db.write(tx -> {
      insertItem(tx, 2, "uncommitted");
      inserted.countDown();
      await(release);
      return 2;
    }));
    try {
      await(inserted);

      assertThat(itemIds()).containsExactly(1);
    } finally {
      release.countDown();
    }
    assertThat(write.get()).isEqualTo(2);
    assertThat(itemIds()).containsExactly(1, 2);
  }

  @Test
  void read_connectionIsReadOnly() {
    assertThatThrownBy(() -> db.read(c -> insertItem(c, 1, "sneaky")))
        .isInstanceOf(StoreUnavailableException.class);
    assertThat(itemIds()).isEmpty();
  }

  @Test
  void read_sqlException_rethrownAsStoreUnavailable() {
    assertThatThrownBy(() -> db.read(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT * FROM no_such_table")) {
        return q.executeQuery().next();
      }
    })).isInstanceOf(StoreUnavailableException.class).hasCauseInstanceOf(SQLException.class);
  }

  @Test
  void reopen_keepsCommittedWrites() {
    db.write(tx -> insertItem(tx, 1, "one"));
    db.write(tx -> insertItem(tx, 2, "two"));

    fixture.reopen();
    db = fixture.db();

    assertThat(itemIds()).containsExactly(1, 2);
  }

  @Test
  void migrate_recordsEachVersionOfEachModule() {
    assertThat(migrations(OTHER_MODULE)).containsExactly(Map.entry(1, "V001__others.sql"));
    assertThat(migrations(SqliteFixture.TEST_MODULE))
        .containsExactly(Map.entry(1, "V001__items.sql"), Map.entry(2, "V002__seed.sql"));
    assertThat(seedRows()).isEqualTo(1);
  }

  @Test
  void migrate_again_runsNothing() {
    db.migrate(SqliteFixture.TEST_MODULE);
    fixture.reopen(); // migrates every module again, as startup does
    db = fixture.db();
    db.migrate(SqliteFixture.TEST_MODULE);

    assertThat(seedRows()).isEqualTo(1);
    assertThat(migrations(SqliteFixture.TEST_MODULE))
        .containsExactly(Map.entry(1, "V001__items.sql"), Map.entry(2, "V002__seed.sql"));
  }

  @Test
  void migrate_databaseNewerThanThisBuild_refusedWithAClearError() {
    db.write(tx -> {
      try (PreparedStatement ins = tx.prepareStatement(
          "INSERT INTO schema_migrations (module, version, name) VALUES (?, 3, 'V003__from_the_future.sql')")) {
        ins.setString(1, SqliteFixture.TEST_MODULE);
        ins.executeUpdate();
      }
      return null;
    });

    assertThatThrownBy(() -> db.migrate(SqliteFixture.TEST_MODULE))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("schema of localdbtest is at version 3, newer than this build knows (2)");
    assertThat(seedRows()).isEqualTo(1);
  }

  @Test
  void migrate_failingMigration_rollsBackWholeAndStaysUnrecorded() {
    assertThatThrownBy(() -> db.migrate("broken"))
        .isInstanceOf(StoreUnavailableException.class).hasCauseInstanceOf(SQLException.class);

    assertThat(migrations("broken")).containsExactly(Map.entry(1, "V001__ok.sql"));
    assertThat(tableExists("broken_ok")).isTrue();
    assertThat(tableExists("broken_half")).isFalse();
  }

  @Test
  void migrate_badFileName_rejected() {
    assertThatThrownBy(() -> db.migrate("badname"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("V1__items.sql");
  }

  @Test
  void migrate_gapInNumbering_rejectedBeforeAnythingRuns() {
    assertThatThrownBy(() -> db.migrate("gap"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("V003__c.sql");
    assertThat(tableExists("gap_a")).isFalse();
  }

  @Test
  void migrate_unknownModule_rejected() {
    assertThatThrownBy(() -> db.migrate("nosuchmodule"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("db/nosuchmodule/migrations.txt");
  }

  @Test
  void check_openDatabase_passes() {
    db.check();
  }

  @Test
  void afterClose_writeReadAndCheckThrowStoreUnavailable() {
    db.close();
    db.close(); // idempotent

    assertThatThrownBy(() -> db.write(tx -> insertItem(tx, 1, "late")))
        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> db.read(c -> 1))
        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("closed");
    assertThatThrownBy(db::check).isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void close_waitsForQueuedWritesToCommit() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Future<Integer> held = holdTheWriter(release);
    Future<Integer> queued = pool.submit(() -> db.write(tx -> insertItem(tx, 2, "queued")));
    Poll.until(Poll.DEADLINE, "the second write is queued", () -> writeQueueSize() == 1);
    Future<?> closing = pool.submit(db::close);
    release.countDown();

    closing.get();
    assertThat(held.get()).isEqualTo(1);
    assertThat(queued.get()).isEqualTo(2);
    fixture.reopen();
    db = fixture.db();
    assertThat(itemIds()).containsExactly(1, 2);
  }

  /*
   * An op that throws an Error (AssertionError, StackOverflowError, OutOfMemoryError) must fail
   * only its own write, as exceptions do. Polls check() so that a dead writer thread fails the
   * test at once instead of hanging it.
   */
  @Test
  void write_opThrowsError_callerGetsTheErrorAndTheWriterKeepsServing() throws Exception {
    AssertionError boom = new AssertionError("boom");
    Future<Object> failing = pool.submit(() -> db.write(tx -> {
      insertItem(tx, 1, "doomed");
      throw boom;
    }));

    Poll.until(Poll.DEADLINE, "the failing write returns or the writer stops", () -> failing.isDone() || writerStopped());
    assertThat(writerStopped())
        .as("the writer thread died of the op's Error: that write and every later one wait forever")
        .isFalse();
    assertThatThrownBy(failing::get).isInstanceOf(ExecutionException.class).hasCause(boom);
    int written = db.write(tx -> insertItem(tx, 2, "after"));
    assertThat(written).isEqualTo(2);
    assertThat(itemIds()).containsExactly(2);
  }

  private boolean writerStopped() {
    try {
      db.check();
      return false;
    } catch (StoreUnavailableException e) {
      return true;
    }
  }

  /** Inserts item {@code id}, then fails when {@code id % 3} is 0 (SQLException) or 1 (runtime). */
  private static int opThatFailsEveryThird(Connection tx, int id) throws SQLException {
    insertItem(tx, id, "item-" + id);
    switch (id % 3) {
      case 0 -> throw new SQLException("op " + id + " fails");
      case 1 -> throw new IllegalStateException("op " + id + " fails");
      default -> {
        return id;
      }
    }
  }

  private static int insertItem(Connection c, int id, String name) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO items (id, name) VALUES (?, ?)")) {
      s.setInt(1, id);
      s.setString(2, name);
      s.executeUpdate();
    }
    return id;
  }

  private List<Integer> itemIds() {
    return db.read(c -> {
      List<Integer> ids = new ArrayList<>();
      try (PreparedStatement q = c.prepareStatement("SELECT id FROM items ORDER BY id"); ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getInt(1));
        }
      }
      return ids;
    });
  }

  private int seedRows() {
    return db.read(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT count(*) FROM seeds"); ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    });
  }

  private boolean tableExists(String table) {
    return db.read(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
        q.setString(1, table);
        try (ResultSet rs = q.executeQuery()) {
          return rs.next();
        }
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

  private int writeQueueSize() {
    Gauge<?> gauge = fixture.metrics().getGauges().get("localdb.write_queue");
    return ((Number) gauge.getValue()).intValue();
  }

  private long maxBatchSize() {
    return fixture.metrics().histogram("localdb.commit_batch_size").getSnapshot().getMax();
  }

  /** Unchecked so write ops can call it; an interrupt only comes from tearDown's shutdownNow. */
  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("latch not released within " + Poll.DEADLINE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
