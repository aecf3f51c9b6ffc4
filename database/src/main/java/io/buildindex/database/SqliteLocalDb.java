package io.buildindex.database;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * {@link LocalDb} on one SQLite file in WAL mode.
 *
 * <p>Design: SQLite allows one writer at a time, so all writes funnel through a single writer
 * thread and connection (as Kraken's {@code SetMaxOpenConns(1)}), which also makes each write's
 * read-check-write (generations, task replacement) race-free without row locks. The writer takes
 * every write queued while the previous commit was syncing and commits them as one transaction
 * (group commit): one fsync acknowledges the whole batch, which is what lets thousands of durable
 * puts per second share a disk. The ops of a batch run one after another in its transaction; when
 * one of them throws, the transaction is rolled back and the batch runs again with each op in its
 * own SAVEPOINT, so a failing op rolls back alone (a savepoint around every op would cost two
 * statements per write, and SQLite's copies of the pages each op changes). {@code synchronous=FULL}
 * makes the WAL fsync at every commit: an acknowledged write survives kill -9 and power loss.
 * Readers use separate read-only connections; in WAL mode they never block the writer nor it them.
 * {@link DatabaseFiles} holds the data directory's lock and fails the node closed when the files
 * are deleted under it.
 */
final class SqliteLocalDb implements LocalDb {
  private static final Logger log = LoggerFactory.getLogger(SqliteLocalDb.class);
  /** Bounded so a stalled disk pushes back on clients instead of growing the heap. */
  private static final int QUEUE_CAPACITY = 16_384;
  /** Large enough to amortize an fsync, small enough to keep a commit well under 100 ms. */
  private static final int MAX_BATCH = 2_048;
  private static final int READ_CONNECTIONS = 4;

  private final Path file;
  private final DatabaseFiles files;
  private final Connection writer;
  private final BlockingQueue<Connection> readers;
  private final BlockingQueue<Pending<?>> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final Thread writerThread;
  private final Timer commitTimer;
  private final Histogram batchSizes;
  private final Counter batchSplits;
  /** SAVEPOINT and friends, prepared once: they run twice per write run alone. Writer thread only. */
  private final StatementCache savepoints = new StatementCache();
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private volatile boolean closed;

  private SqliteLocalDb(Path file, DatabaseFiles files, Connection writer, List<Connection> readers, MetricRegistry metrics) {
    this.file = file;
    this.files = files;
    this.writer = writer;
    this.readers = new ArrayBlockingQueue<>(readers.size(), false, readers);
    this.commitTimer = metrics.timer(MetricRegistry.name("localdb", "commit"));
    this.batchSizes = metrics.histogram(MetricRegistry.name("localdb", "commit_batch_size"));
    this.batchSplits = metrics.counter(MetricRegistry.name("localdb", "batch_splits"));
    metrics.gauge(MetricRegistry.name("localdb", "write_queue"), () -> queue::size);
    metrics.gauge(MetricRegistry.name("localdb", "size_bytes"), () -> this::sizeBytes);
    metrics.gauge(MetricRegistry.name("localdb", "disk_available_bytes"), () -> this::diskAvailableBytes);
    this.writerThread = Thread.ofPlatform().name("localdb-writer").daemon().start(this::runWriter);
  }

  /** The database, its WAL and shared-memory file: what the data directory holds for this node. */
  private long sizeBytes() {
    long total = 0;
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      try {
        total += Files.size(file.resolveSibling(file.getFileName() + suffix));
      } catch (IOException e) {
        // absent (no WAL yet) or removed under us (DatabaseFiles reports that): counts as empty
      }
    }
    return total;
  }

  /** Usable bytes on the file system of the database; -1 when it cannot be read. */
  private long diskAvailableBytes() {
    try {
      return Files.getFileStore(file.toAbsolutePath()).getUsableSpace();
    } catch (IOException e) {
      return -1;
    }
  }

  static SqliteLocalDb open(Path file, MetricRegistry metrics) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new StoreUnavailableException("cannot open database " + file + ": " + e.getMessage(), e);
    }
    DatabaseFiles files = DatabaseFiles.open(file);
    try {
      Connection writer = connect(file, false);
      List<Connection> readers = new ArrayList<>();
      for (int i = 0; i < READ_CONNECTIONS; i++) {
        readers.add(connect(file, true));
      }
      files.recordIdentities();
      return new SqliteLocalDb(file, files, writer, readers, metrics);
    } catch (SQLException e) {
      files.close();
      throw new StoreUnavailableException("cannot open database " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      files.close();
      throw e;
    }
  }

  private static Connection connect(Path file, boolean readOnly) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    // Each connection is used by one thread at a time: the writer's by the writer thread alone, a
    // reader's by whoever took it from the pool (the queue hands it over). SQLite's own mutexes
    // (its default, serialized mode) would lock and unlock on every call for nothing: ~5% of the
    // writer thread's CPU on a durable PUT.
    config.setOpenMode(SQLiteOpenMode.NOMUTEX);
    Properties p = config.toProperties();
    // Nothing here reads generated keys; with the driver's default it matches a regex against every
    // INSERT after it runs, to prepare them (2% of a durable PUT's CPU in a profile).
    p.setProperty("jdbc.get_generated_keys", "false");
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, p);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 5000");
      if (!readOnly) {
        s.execute("PRAGMA journal_mode = WAL");
        s.execute("PRAGMA synchronous = FULL");
        s.execute("PRAGMA foreign_keys = ON");
      } else {
        s.execute("PRAGMA query_only = true");
      }
    }
    c.setAutoCommit(true);
    return c;
  }

  @Override
  public <T> T write(WriteOp<T> op) {
    Pending<T> pending = new Pending<>(op);
    try {
      enqueue(pending);
      return pending.future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while writing", e);
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    }
  }

  /* The closed check and the put happen under the read lock, and close() sets the flag and queues
   * the stop marker under the write lock: no write can be queued behind the marker and wait forever. */
  private void enqueue(Pending<?> pending) throws InterruptedException {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new StoreUnavailableException("database " + file + " is closed");
      }
      files.failIfBroken();
      queue.put(pending);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private static RuntimeException rethrow(Throwable cause) {
    if (cause instanceof RuntimeException r) {
      return r;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return new StoreUnavailableException("database write failed: " + cause.getMessage(), cause);
  }

  @Override
  public <T> T read(ReadOp<T> op) {
    if (closed) {
      throw new StoreUnavailableException("database " + file + " is closed");
    }
    files.failIfBroken();
    Connection c;
    try {
      c = readers.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while reading", e);
    }
    try {
      return op.apply(c);
    } catch (SQLException e) {
      throw new StoreUnavailableException("database read failed: " + e.getMessage(), e);
    } finally {
      readers.add(c);
    }
  }

  @Override
  public void migrate(String module) {
    Migrations migrations = Migrations.load(module, Dialect.SQLITE);
    write(tx -> {
      migrations.createTable(tx);
      migrations.refuseNewer(tx);
      return null;
    });
    for (Migrations.Migration m : migrations.all()) {
      long start = System.nanoTime();
      if (write(tx -> migrations.applyIfNew(tx, m))) {
        log.info("applied migration {} of {} to {} in {} ms", m.name(), module, file, (System.nanoTime() - start) / 1_000_000);
      }
    }
  }

  @Override
  public Dialect dialect() {
    return Dialect.SQLITE;
  }

  /** No other node writes to this file: nothing to tell. */
  @Override
  public void notifyChange(Connection tx, String channel, String payload) {}

  @Override
  public Subscription listen(String channel, Listener listener) {
    return ALWAYS_LISTENING;
  }

  private static final Subscription ALWAYS_LISTENING = new Subscription() {
    @Override
    public boolean listening() {
      return true;
    }

    @Override
    public void close() {}
  };

  @Override
  public void check() {
    if (!writerThread.isAlive()) {
      throw new StoreUnavailableException("database writer has stopped");
    }
    files.verify();
    read(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT 1");
      }
      return null;
    });
  }

  private void runWriter() {
    List<Pending<?>> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      boolean stop = batch.removeIf(p -> p.op == null);
      if (!batch.isEmpty()) {
        try {
          commit(batch);
        } catch (Throwable e) { // never leave callers waiting on futures nobody will complete
          log.error("writer failed on a batch of {} writes", batch.size(), e);
          rollbackQuietly();
          batch.forEach(p -> p.future.completeExceptionally(e));
        }
      }
      batch.clear();
      if (stop) {
        return;
      }
    }
  }

  private void commit(List<Pending<?>> batch) {
    batchSizes.update(batch.size());
    try (Timer.Context ignored = commitTimer.time(); Statement s = writer.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      // A batch of one runs alone at once: should its op fail, a second run would fail the same way.
      if (batch.size() == 1 || !runTogether(batch)) {
        for (Pending<?> p : batch) {
          p.runAlone(writer, savepoints);
        }
      }
      s.execute("COMMIT");
      files.verify(); // committed into a file deleted under us is not durable: fail the batch instead
      batch.forEach(Pending::complete);
    } catch (SQLException | RuntimeException e) {
      log.error("commit of {} writes to {} failed", batch.size(), file, e);
      rollbackQuietly();
      StoreUnavailableException failure = new StoreUnavailableException("database commit failed: " + e.getMessage(), e);
      batch.forEach(p -> p.future.completeExceptionally(failure));
    }
  }

  /**
   * Runs the ops of {@code batch} one after another in the open transaction, without savepoints.
   * When one of them throws, rolls back, opens the transaction again and returns false: nothing of
   * the batch is kept, and the caller runs each op alone.
   */
  private boolean runTogether(List<Pending<?>> batch) throws SQLException {
    try {
      for (Pending<?> p : batch) {
        p.runTogether(writer);
      }
      return true;
    } catch (Throwable e) { // an Error too: as in Pending#runAlone, it fails its op, not the writer
      batchSplits.inc();
      log.debug("a batch of {} writes failed ({}); running each in its own savepoint", batch.size(), e.toString());
    }
    // Quietly: SQLite has rolled back by itself after some errors (a full disk, an I/O error).
    rollbackQuietly();
    try (Statement s = writer.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
    }
    return false;
  }

  private void rollbackQuietly() {
    try (Statement s = writer.createStatement()) {
      s.execute("ROLLBACK");
    } catch (SQLException e) {
      log.debug("rollback after failed commit: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      queue.put(new Pending<>(null)); // drains what is queued, then stops
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lifecycle.writeLock().unlock();
    }
    try {
      writerThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly(writer);
    closeReaders();
    files.close();
    log.info("closed database {}", file);
  }

  /** Waits briefly for reads in progress to hand their connections back, so none is leaked. */
  private void closeReaders() {
    for (int i = 0; i < READ_CONNECTIONS; i++) {
      try {
        Connection c = readers.poll(5, java.util.concurrent.TimeUnit.SECONDS);
        if (c == null) {
          log.warn("a read still holds a connection to {} after 5s; leaving it", file);
          return;
        }
        closeQuietly(c);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      log.warn("closing connection: {}", e.getMessage());
    }
  }

  /** A queued write and the future its caller waits on; completed only after COMMIT. */
  private static final class Pending<T> {
    /** Null only for the pill {@link #close} queues to stop the writer. */
    final LocalDb.@Nullable WriteOp<T> op;
    final CompletableFuture<T> future = new CompletableFuture<>();
    private @Nullable T result;
    private @Nullable Throwable failure;

    Pending(LocalDb.@Nullable WriteOp<T> op) {
      this.op = op;
    }

    /** Runs the op in the batch's transaction, no savepoint around it; throws what it throws. */
    void runTogether(Connection tx) throws SQLException {
      result = java.util.Objects.requireNonNull(op).apply(tx);
    }

    /** Runs the whole write in its own savepoint: when it throws, its changes alone are rolled back. */
    void runAlone(Connection tx, StatementCache savepoints) throws SQLException {
      result = null;
      savepoints.get(tx, "SAVEPOINT op").execute();
      try {
        result = java.util.Objects.requireNonNull(op).apply(tx);
        savepoints.get(tx, "RELEASE op").execute();
      } catch (Throwable e) { // an Error too: it fails this op, not the writer thread
        savepoints.get(tx, "ROLLBACK TO op").execute();
        savepoints.get(tx, "RELEASE op").execute();
        failure = e;
      }
    }

    void complete() {
      if (failure != null) {
        future.completeExceptionally(failure);
      } else {
        future.complete(result);
      }
    }
  }
}
