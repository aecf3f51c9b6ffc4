package io.buildindex.database;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LocalDb} on a shared PostgreSQL database, through a HikariCP pool.
 *
 * <p>Design: several nodes write to one database, so there is no single writer to serialize on:
 * the modules' PostgreSQL statements make their read-decide-write atomic with row locks and
 * conditional upserts (see {@link LocalDb}). A node's writes that arrive together run in one READ
 * COMMITTED transaction on a pooled connection ({@link PostgresGroupCommit}, which says why and how
 * a failing batch falls back to one transaction per write). Commit is durable once it returns
 * ({@code synchronous_commit} on, the server's default; a standby setup decides whether that
 * includes a replica). A write running alone retries serialization failures and deadlocks (SQLSTATE
 * 40001, 40P01) with a short jittered backoff a bounded number of times; anything else fails it. A
 * connection failure is a {@link StoreUnavailableException} at once (never a silent retry of a
 * commit whose outcome is unknown): the client gets a 503 and retries, and the generation rules
 * make a retried write harmless. Hikari waits at most {@link #CONNECTION_TIMEOUT_MS} for a connection, so while the
 * server is down writes and readiness fail fast, and it reconnects by itself when the server is
 * back. Notifications for caches are queued during the write and sent after its commit by one
 * {@link NoticePublisher}, many writes' notices per transaction (a notifying transaction holds a
 * database-wide lock through its commit); the write returns once they are sent, so a rolled-back
 * write announces nothing and an acknowledged one has been announced. One dedicated listening
 * connection receives them ({@link PostgresListener}).
 */
final class PostgresLocalDb implements LocalDb {
  private static final Logger log = LoggerFactory.getLogger(PostgresLocalDb.class);
  /** Bounded: a write that keeps colliding is answered 503 rather than retried forever. */
  static final int MAX_ATTEMPTS = 5;
  /** How long a request waits for a pooled connection before its write or read is a 503. */
  static final long CONNECTION_TIMEOUT_MS = 2_000;
  /** Serializes nodes applying migrations: an arbitrary constant, the same on every node. */
  /** How the listening connection names itself in {@code pg_stat_activity}. */
  static final String LISTENER_APPLICATION_NAME = "build-index-listener";
  private static final long MIGRATION_LOCK = 0x6275696c64696478L; // "buildidx"
  /**
   * How long a batch waits for a row lock another transaction holds (another node's batch holds its
   * locks for milliseconds) before it gives up and its writes run alone, each waiting for its own
   * locks: a lock held long (a node frozen mid-transaction) then holds up the writes that need it,
   * not every write of this node, and two nodes' batches that lock the same rows in opposite orders
   * part after this instead of the server's deadlock timeout (one second by default).
   */
  static final String BATCH_LOCK_TIMEOUT = "SET LOCAL lock_timeout = '100ms'";

  private final PostgresSettings settings;
  private final HikariDataSource pool;
  private final PostgresListener listener;
  private final NoticePublisher notices;
  /** The notices of the write running on this thread, sent after its commit; null outside a write. */
  private final ThreadLocal<List<NoticePublisher.Notice>> pendingNotices = new ThreadLocal<>();
  private final PostgresGroupCommit groupCommit;
  private final Timer commitTimer;
  private final Histogram batchSizes;
  private final Counter retries;
  private final Counter batchSplits;
  private volatile boolean closed;

  private PostgresLocalDb(PostgresSettings settings, HikariDataSource pool, MetricRegistry metrics) {
    this.settings = settings;
    this.pool = pool;
    this.commitTimer = metrics.timer(MetricRegistry.name("localdb", "commit"));
    this.batchSizes = metrics.histogram(MetricRegistry.name("localdb", "commit_batch_size"));
    this.retries = metrics.counter(MetricRegistry.name("localdb", "write_retries"));
    this.batchSplits = metrics.counter(MetricRegistry.name("localdb", "batch_splits"));
    HikariPoolMXBean bean = pool.getHikariPoolMXBean();
    metrics.gauge(MetricRegistry.name("localdb", "pool_active_connections"), () -> bean::getActiveConnections);
    metrics.gauge(MetricRegistry.name("localdb", "pool_idle_connections"), () -> bean::getIdleConnections);
    metrics.gauge(MetricRegistry.name("localdb", "pool_pending_threads"), () -> bean::getThreadsAwaitingConnection);
    metrics.gauge(MetricRegistry.name("localdb", "pool_max_connections"), () -> settings::poolSize);
    this.listener = new PostgresListener(() -> PostgresLocalDb.connectDirect(settings));
    this.notices = new NoticePublisher(pool::getConnection);
    metrics.gauge(MetricRegistry.name("localdb", "listen_connected"), () -> () -> listener.connected() ? 1 : 0);
    this.groupCommit = new PostgresGroupCommit(PostgresGroupCommit.overflowWriters(settings.poolSize()), new PostgresGroupCommit.Writes() {
      @Override
      public void batch(List<PostgresGroupCommit.Pending<?>> batch) {
        runBatch(batch);
      }

      @Override
      public <T> T alone(WriteOp<T> op) {
        return writeAlone(op);
      }
    });
    metrics.gauge(MetricRegistry.name("localdb", "write_queue"), () -> groupCommit::queued);
  }

  static PostgresLocalDb open(PostgresSettings settings, MetricRegistry metrics) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("localdb");
    config.setJdbcUrl(settings.url());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setMaximumPoolSize(settings.poolSize());
    config.setMinimumIdle(Math.min(2, settings.poolSize()));
    config.setAutoCommit(false);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
    config.setValidationTimeout(1_000);
    config.setKeepaliveTime(30_000);
    // Start-up fails (clearly) when the database cannot be reached, as a missing SQLite directory does.
    config.setInitializationFailTimeout(CONNECTION_TIMEOUT_MS);
    driverProperties().forEach((k, v) -> config.addDataSourceProperty((String) k, v));
    try {
      HikariDataSource pool = new HikariDataSource(config);
      log.info("opened PostgreSQL database {} (pool of {})", settings.url(), settings.poolSize());
      return new PostgresLocalDb(settings, pool, metrics);
    } catch (HikariPool.PoolInitializationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new StoreUnavailableException("cannot open PostgreSQL database " + settings.url() + ": " + cause.getMessage(), e);
    }
  }

  /**
   * Timeouts so that a server that stops answering (rather than closing connections) fails requests
   * instead of hanging them; keepalives so the OS notices a dead peer.
   */
  private static Properties driverProperties() {
    Properties p = new Properties();
    p.setProperty("connectTimeout", "5");
    p.setProperty("loginTimeout", "5");
    p.setProperty("socketTimeout", "30");
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("ApplicationName", "build-index");
    return p;
  }

  /**
   * The listener's connection, outside the pool. Its socket timeout is short: the listener pings at
   * least every {@link PostgresListener#PING_MS}, so a silent server is noticed within seconds, which
   * bounds how long a cache can believe it is fresh after the notifications stopped.
   */
  static Connection connectDirect(PostgresSettings settings) throws SQLException {
    Properties p = driverProperties();
    p.setProperty("socketTimeout", "5");
    p.setProperty("ApplicationName", LISTENER_APPLICATION_NAME);
    p.setProperty("user", settings.user());
    p.setProperty("password", settings.password());
    return new org.postgresql.Driver().connect(settings.url(), p);
  }

  @Override
  public Dialect dialect() {
    return Dialect.POSTGRES;
  }

  /** Queued for the next group commit (see {@link PostgresGroupCommit}). */
  @Override
  public <T> T write(WriteOp<T> op) {
    failIfClosed();
    return groupCommit.write(op);
  }

  /** Queued for the next group commit, whose writes of {@code bulk} run it in one statement. */
  @Override
  public <K, P, T> T write(Bulk<K, P> bulk, K key, BulkWriteOp<P, T> op) {
    failIfClosed();
    return groupCommit.write(new PostgresGroupCommit.Pending<>(bulk, key, op));
  }

  /**
   * Runs a batch of writes in one transaction; when one of them throws or the transaction is
   * aborted (a lock wait past the batch's timeout included), hands each back to its caller to run
   * alone ({@link #writeAlone}), so that a write fails only for its own reasons. A connection
   * failure fails them all at once: a commit may have happened, nothing is retried.
   */
  private void runBatch(List<PostgresGroupCommit.Pending<?>> batch) {
    batchSizes.update(batch.size());
    List<Object> results = new ArrayList<>(batch.size());
    List<NoticePublisher.Notice> queued = new ArrayList<>();
    try {
      transaction(c -> {
        try (Statement s = c.createStatement()) {
          s.execute(BATCH_LOCK_TIMEOUT);
        }
        List<@Nullable Object> done = PostgresGroupCommit.runBulks(c, batch);
        for (int i = 0; i < batch.size(); i++) {
          results.add(batch.get(i).applyInBatch(c, done.get(i)));
        }
        return null;
      }, queued);
    } catch (SQLException e) {
      if (isConnectionFailure(e)) {
        StoreUnavailableException failure = unavailable("database write failed", e);
        batch.forEach(p -> p.future.completeExceptionally(failure));
        return;
      }
      split(batch, e);
      return;
    } catch (RuntimeException | Error e) {
      split(batch, e);
      return;
    }
    try {
      notices.publish(queued);
    } catch (StoreUnavailableException e) {
      batch.forEach(p -> p.future.completeExceptionally(e));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      complete(batch.get(i), results.get(i));
    }
  }

  private void split(List<PostgresGroupCommit.Pending<?>> batch, Throwable cause) {
    batchSplits.inc();
    log.debug("a batch of {} writes failed ({}); running them one by one", batch.size(), cause.toString());
    batch.forEach(PostgresGroupCommit.Pending::runAlone);
  }

  @SuppressWarnings("unchecked") // results.get(i) is what batch.get(i).op returned
  private static <T> void complete(PostgresGroupCommit.Pending<T> p, Object result) {
    p.future.complete((T) result);
  }

  /** One write in its own transaction, retried on serialization failures and deadlocks. */
  private <T> T writeAlone(WriteOp<T> op) {
    for (int attempt = 1; ; attempt++) {
      try {
        return attempt(op);
      } catch (SQLException e) {
        if (isRetryable(e) && attempt < MAX_ATTEMPTS) {
          retries.inc();
          log.debug("write attempt {} failed ({}), retrying", attempt, e.getSQLState());
          backoff(attempt);
          continue;
        }
        throw unavailable("database write failed", e);
      }
    }
  }

  private <T> T attempt(WriteOp<T> op) throws SQLException {
    List<NoticePublisher.Notice> queued = new ArrayList<>();
    T result = transaction(op, queued);
    notices.publish(queued); // after the connection is back in the pool: the publisher needs one too
    return result;
  }

  /**
   * Runs {@code work} in one transaction on a pooled connection and commits it, collecting the
   * notices it queues ({@link #notifyChange}) into {@code queued}; rolls back if it throws.
   */
  private <T> T transaction(WriteOp<T> work, List<NoticePublisher.Notice> queued) throws SQLException {
    failIfClosed();
    try (Connection c = pool.getConnection()) {
      pendingNotices.set(queued);
      try (Timer.Context ignored = commitTimer.time()) {
        T result = work.apply(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        pendingNotices.remove();
      }
    }
  }

  @Override
  public <T> T read(ReadOp<T> op) {
    failIfClosed();
    try (Connection c = pool.getConnection()) {
      try {
        return op.apply(c);
      } finally {
        rollbackQuietly(c); // ends the read's snapshot; a read-only op has nothing to commit
      }
    } catch (SQLException e) {
      throw unavailable("database read failed", e);
    }
  }

  @Override
  public void migrate(String module) {
    Migrations migrations = Migrations.load(module, Dialect.POSTGRES);
    failIfClosed();
    // A session-level advisory lock held over the migrations' own transactions: nodes starting
    // together wait here and then find the migrations recorded.
    try (Connection c = pool.getConnection()) {
      try {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
        }
        c.commit();
        migrations.createTable(c);
        c.commit();
        migrations.refuseNewer(c);
        c.commit();
        for (Migrations.Migration m : migrations.all()) {
          try {
            if (migrations.applyIfNew(c, m)) {
              log.info("applied migration {} of {}", m.name(), module);
            }
            c.commit();
          } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
          }
        }
      } finally {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
          c.commit();
        } catch (SQLException e) {
          // The lock is the session's: closing a broken connection releases it server-side.
          log.debug("advisory unlock: {}", e.getMessage());
        }
      }
    } catch (SQLException e) {
      throw unavailable("migrating " + module + " failed", e);
    }
  }

  @Override
  public void check() {
    read(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT 1");
      }
      return null;
    });
  }

  @Override
  public void notifyChange(Connection tx, String channel, String payload) throws SQLException {
    if (payload.indexOf('\n') >= 0) { // the notices of many writes travel as lines of one payload
      throw new IllegalArgumentException("a change notice must be one line: " + payload);
    }
    List<NoticePublisher.Notice> queued = pendingNotices.get();
    if (queued != null) {
      queued.add(new NoticePublisher.Notice(channel, payload));
      return;
    }
    try (PreparedStatement ps = tx.prepareStatement("SELECT pg_notify(?, ?)")) {
      ps.setString(1, channel);
      ps.setString(2, payload);
      ps.execute();
    }
  }

  @Override
  public Subscription listen(String channel, Listener l) {
    failIfClosed();
    return listener.subscribe(channel, l);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    groupCommit.close(); // lets the queued writes commit; refuses new ones
    closed = true;
    notices.close();
    listener.close();
    pool.close();
    log.info("closed PostgreSQL database {}", settings.url());
  }

  private void failIfClosed() {
    if (closed) {
      throw new StoreUnavailableException("database " + settings.url() + " is closed");
    }
  }

  /** Serialization failure, deadlock: the op lost a race with another transaction and can run again. */
  static boolean isRetryable(SQLException e) {
    String state = e.getSQLState();
    return "40001".equals(state) || "40P01".equals(state);
  }

  /** Connection exceptions (class 08), shutdowns (57P01-57P03), Hikari's timeout waiting for a connection. */
  static boolean isConnectionFailure(SQLException e) {
    String state = e.getSQLState();
    return e instanceof SQLTransientConnectionException
        || (state != null && (state.startsWith("08") || state.startsWith("57P")));
  }

  private StoreUnavailableException unavailable(String what, SQLException e) {
    String reason = isConnectionFailure(e) ? "PostgreSQL at " + settings.url() + " is unreachable: " : "";
    return new StoreUnavailableException(what + ": " + reason + e.getMessage(), e);
  }

  private static void backoff(int attempt) {
    long millis = ThreadLocalRandom.current().nextLong(1, 5L << attempt);
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while retrying a write", e);
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      log.debug("rollback: {}", e.getMessage());
    }
  }
}
