package io.buildindex.tagstore;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The node's SQLite database, shared by every module that persists (tags, replication tasks).
 * Writes go through one writer that group-commits: each {@link #write} returns only after its
 * transaction is committed and fsync'd, and writes from many threads share one commit. Reads run
 * concurrently on a small pool of read-only connections (WAL lets them see the last commit).
 * Thread-safe.
 */
public interface LocalDb extends AutoCloseable {
  /** Work done inside the writer's transaction. Must not block on anything but the connection. */
  @FunctionalInterface
  interface WriteOp<T> {
    T apply(Connection tx) throws SQLException;
  }

  /** Work done on a read-only connection. */
  @FunctionalInterface
  interface ReadOp<T> {
    T apply(Connection conn) throws SQLException;
  }

  /**
   * Runs {@code op} in the next group commit and returns its result once durable. If {@code op}
   * throws, its changes are rolled back (others in the batch still commit) and the exception is
   * rethrown here: SQLException as {@link StoreUnavailableException}, runtime exceptions as is.
   */
  <T> T write(WriteOp<T> op);

  <T> T read(ReadOp<T> op);

  /**
   * Applies the numbered migrations listed in {@code db/<module>/migrations.txt} on the
   * classpath that this database has not seen yet, in order, each in its own transaction.
   */
  void migrate(String module);

  /** Throws {@link StoreUnavailableException} with the reason when the database cannot serve. */
  void check();

  @Override
  void close();

  static LocalDb open(Path file, MetricRegistry metrics) {
    return SqliteLocalDb.open(file, metrics);
  }
}
