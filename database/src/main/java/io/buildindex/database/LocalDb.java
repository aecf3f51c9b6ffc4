package io.buildindex.database;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The node's database (SQLite today), shared by every module that persists (tags, replication tasks).
 * Writes go through one writer that group-commits: each {@link #write} returns only after its
 * transaction is committed and fsync'd, and writes from many threads share one commit. Reads run
 * concurrently on a small pool of read-only connections (WAL lets them see the last commit).
 * Opened by {@link Databases}. Thread-safe.
 *
 * <p>Design: this interface is the seam between the modules that persist and the database they
 * persist in. The modules hand it JDBC work ({@link WriteOp}, {@link ReadOp}) and their own SQL and
 * migrations; everything about running that work (connections, the single writer and its group
 * commit, pragmas, the data-directory lock, file identity checks) stays behind it, in the package-
 * private {@code SqliteLocalDb}. A second implementation (PostgreSQL, say) must provide the same
 * contract, which the modules rely on for correctness, not only speed:
 * <ul>
 *   <li>writes are serialized: each {@link WriteOp} sees every write acknowledged before it, and no
 *       other write runs between its reads and its writes (the tag store's last-write-wins and the
 *       queue's task replacement read, decide and write in one op, without row locks);
 *   <li>{@link #write} returns only once the op is durable; an op that throws rolls back alone
 *       (SAVEPOINT) while the others sharing its commit stay; the failure reaches the caller as
 *       documented on {@link #write};
 *   <li>{@link #read} runs on a read-only connection that sees at least every write that returned;
 *   <li>{@link #migrate} applies a module's numbered migrations once each, recorded per module;
 *   <li>every failure to serve, including after {@link #close}, is a {@link StoreUnavailableException}
 *       (the node answers 503 and turns unready).
 * </ul>
 * The modules' SQL is SQLite's today ({@code INSERT OR IGNORE}, {@code WITHOUT ROWID} tables), and
 * so is this module's {@code schema_migrations} table; a second dialect brings its own migrations
 * and statements in those modules, which name their SQLite classes for it ({@code SqliteTagStore},
 * {@code SqliteTaskQueue}).
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

  /** Lets queued writes commit, then closes the connections; idempotent. */
  @Override
  void close();
}
