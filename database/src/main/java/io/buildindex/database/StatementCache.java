package io.buildindex.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Prepared statements of the writer connection, kept across write ops: compiling SQL is a large
 * share of a small write's cost, and every write runs the same few statements. Used only from the
 * database's single writer thread (write ops run nowhere else), so it needs no locking; it is not
 * thread-safe. Each store keeps its own, for the statements of its {@link LocalDb#write} ops; a
 * new connection (the writer reopened) drops the statements of the old one.
 */
public final class StatementCache {
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private Connection connection;

  /** The statement for {@code sql} on {@code tx}, prepared on first use; parameters are cleared. Do not close it. */
  public PreparedStatement get(Connection tx, String sql) throws SQLException {
    if (tx != connection) {
      closeAll();
      connection = tx;
    }
    PreparedStatement s = statements.get(sql);
    if (s == null || s.isClosed()) {
      s = tx.prepareStatement(sql);
      statements.put(sql, s);
    } else {
      s.clearParameters();
    }
    return s;
  }

  /** Closes every statement (the connection is going away). */
  public void closeAll() {
    for (PreparedStatement s : statements.values()) {
      try {
        s.close();
      } catch (SQLException e) {
        // closing a statement of a connection that is going away
      }
    }
    statements.clear();
  }
}
