package io.buildindex.tagreplication;

import io.buildindex.tagstore.Tag;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Bulk changes to {@code replication_tasks} outside the task life cycle: reset after a restart,
 * operator retries, cancellation when rules change, purge of old done tasks. Bulk updates are
 * bounded per call so that one transaction never holds the writer for long; callers loop.
 * Stateless but for its {@link TaskSql}.
 */
final class SqliteTaskAdmin {
  private static final String TABLE = TaskRows.TABLE;
  /** Rows one bulk statement touches at most: a few milliseconds of writer time. */
  static final int BATCH = 5_000;

  /** A waiting task's identity, for cancellation with compare-and-set on its version. */
  record WaitingTask(long id, Tag tag, String destination, long version) {}

  private final TaskSql sql;

  SqliteTaskAdmin(TaskSql sql) {
    this.sql = sql;
  }

  /** On SQLite. */
  SqliteTaskAdmin() {
    this(TaskSql.sqlite());
  }

  /**
   * Puts tasks a previous process of this node left running back to pending, due at {@code now}:
   * on SQLite every running task (the node is the database's only one; rows from before leases
   * have no owner), on a shared database those under {@code owner}'s leases only (other nodes'
   * leases are theirs, and end by themselves if those nodes died).
   */
  int resetRunning(Connection tx, String owner, Instant now) throws SQLException {
    try (PreparedStatement s = tx.prepareStatement("UPDATE " + TABLE + " SET state = 'pending', next_attempt_ms = ?, "
        + "lease_owner = NULL, lease_until_ms = NULL, updated_ms = ? WHERE state = 'running'"
        + (sql.singleNode() ? "" : " AND lease_owner = ?"))) {
      s.setLong(1, now.toEpochMilli());
      s.setLong(2, now.toEpochMilli());
      if (!sql.singleNode()) {
        s.setString(3, owner);
      }
      return s.executeUpdate();
    }
  }

  /**
   * Makes up to {@link #BATCH} dead or failed tasks matching {@code filter} due at {@code now} with
   * no attempts, skipping cancelled ones (their rule is gone). Returns how many.
   */
  int retry(Connection tx, TaskFilter filter, Instant now) throws SQLException {
    List<TaskState> states = filter.state() == null ? List.of(TaskState.DEAD, TaskState.FAILED) : List.of(filter.state());
    String sql = "UPDATE " + TABLE + " SET state = 'pending', next_attempt_ms = ?, attempts = 0, updated_ms = ? "
        + "WHERE id IN (SELECT id FROM " + TABLE + " WHERE state IN (?, ?) AND (error_reason IS NULL OR error_reason <> ?)"
        + (filter.destination() == null ? "" : " AND destination = ?") + " LIMIT ?)";
    try (PreparedStatement s = tx.prepareStatement(sql)) {
      s.setLong(1, now.toEpochMilli());
      s.setLong(2, now.toEpochMilli());
      s.setString(3, states.get(0).wireName());
      s.setString(4, states.get(states.size() - 1).wireName());
      s.setString(5, FailureReason.CANCELLED.metricName());
      int next = 6;
      if (filter.destination() != null) {
        s.setString(next++, filter.destination());
      }
      s.setInt(next, BATCH);
      return s.executeUpdate();
    }
  }

  /** The destinations of the tasks {@link #retry} would retry now. */
  List<String> retryDestinations(Connection tx, TaskFilter filter) throws SQLException {
    List<TaskState> states = filter.state() == null ? List.of(TaskState.DEAD, TaskState.FAILED) : List.of(filter.state());
    try (PreparedStatement q = tx.prepareStatement("SELECT DISTINCT destination FROM " + TABLE
        + " WHERE state IN (?, ?) AND (error_reason IS NULL OR error_reason <> ?)" + (filter.destination() == null ? "" : " AND destination = ?"))) {
      q.setString(1, states.get(0).wireName());
      q.setString(2, states.get(states.size() - 1).wireName());
      q.setString(3, FailureReason.CANCELLED.metricName());
      if (filter.destination() != null) {
        q.setString(4, filter.destination());
      }
      List<String> out = new ArrayList<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  /** Up to {@code limit} pending or failed tasks with id above {@code afterId}, by id. */
  List<WaitingTask> waiting(Connection c, long afterId, int limit) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT id, tag, destination, version FROM " + TABLE
        + " WHERE id > ? AND next_attempt_ms IS NOT NULL ORDER BY id LIMIT ?")) {
      q.setLong(1, afterId);
      q.setInt(2, limit);
      List<WaitingTask> out = new ArrayList<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(new WaitingTask(rs.getLong(1), Tag.parse(rs.getString(2)), rs.getString(3), rs.getLong(4)));
        }
      }
      return out;
    }
  }

  /** Marks {@code tasks} dead with {@code why}, unless one was replaced or claimed meanwhile. */
  int cancel(Connection tx, List<WaitingTask> tasks, String why, Instant now) throws SQLException {
    try (PreparedStatement s = tx.prepareStatement("UPDATE " + TABLE + " SET state = 'dead', next_attempt_ms = NULL, "
        + "last_error = ?, error_reason = ?, updated_ms = ? WHERE id = ? AND version = ? AND next_attempt_ms IS NOT NULL")) {
      for (WaitingTask t : tasks) {
        s.setString(1, FailureReason.CANCELLED.metricName() + ": " + why);
        s.setString(2, FailureReason.CANCELLED.metricName());
        s.setLong(3, now.toEpochMilli());
        s.setLong(4, t.id());
        s.setLong(5, t.version());
        s.addBatch();
      }
      int changed = 0;
      for (int n : s.executeBatch()) {
        changed += Math.max(n, 0);
      }
      return changed;
    }
  }

  /** Deletes up to {@link #BATCH} tasks done before {@code before}; returns how many. */
  int purgeDone(Connection tx, Instant before) throws SQLException {
    try (PreparedStatement s = tx.prepareStatement("DELETE FROM " + TABLE + " WHERE id IN (SELECT id FROM " + TABLE
        + sql.doneIndexHint() + " WHERE state = 'done' AND updated_ms < ? LIMIT ?)")) {
      s.setLong(1, before.toEpochMilli());
      s.setInt(2, BATCH);
      return s.executeUpdate();
    }
  }
}
