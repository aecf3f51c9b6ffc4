package io.buildindex.tagreplication;

import io.buildindex.database.StatementCache;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Prepared statements of one component's write ops, kept per thread: SQLite runs every write op on
 * its one writer thread, PostgreSQL on several threads with their own connections, and a
 * {@link StatementCache} serves one thread. Thread-safe.
 */
final class OpStatements {
  private final ThreadLocal<StatementCache> caches = ThreadLocal.withInitial(StatementCache::new);

  /** The statement for {@code sql} on {@code tx}, prepared on first use; parameters are cleared. Do not close it. */
  PreparedStatement get(Connection tx, String sql) throws SQLException {
    return caches.get().get(tx, sql);
  }
}
