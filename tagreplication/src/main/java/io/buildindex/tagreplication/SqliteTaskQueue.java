package io.buildindex.tagreplication;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Enqueueing on {@code replication_tasks}: insert, replace or renew the row of a (tag,
 * destination); {@link SqliteTaskClaims} claims and {@link SqliteTaskResults} finishes. Every
 * method runs inside a {@link io.buildindex.database.LocalDb} write transaction given by the
 * caller. On SQLite that serializes it with every other write of the only node; on PostgreSQL,
 * shared by several nodes, the row read is locked until the transaction ends ({@link TaskSql}),
 * and an insert that lost a race to another node's decides against the row that node inserted.
 * (Named for SQLite, where it began; it serves both dialects.)
 *
 * <p>Design: a (tag, destination) has one row, the newest work for it. A newer generation replaces
 * the row in place and bumps its {@code version}; if a worker is running the older one, the row
 * stays {@code running} (no second worker can claim it) and the worker's finish, which compares
 * the version it claimed, finds it changed and turns the row {@code pending} instead of done. So
 * the newer task always runs after the older one ends, never beside it.
 */
final class SqliteTaskQueue {
  private static final String TABLE = TaskRows.TABLE;
  private final OpStatements statements = new OpStatements();
  private final TaskSql sql;

  SqliteTaskQueue(TaskSql sql) {
    this.sql = sql;
  }

  /** On SQLite. */
  SqliteTaskQueue() {
    this(TaskSql.sqlite());
  }

  /** The current row of a (tag, destination), as enqueue needs it. */
  private record Existing(long id, Generation generation, @Nullable String digest, TaskState state) {}

  /**
   * Makes {@code spec} the task of its (tag, destination) unless the queued task is newer. A write
   * ({@link Priority#WRITE}) of the same state renews a finished task and advances a waiting one;
   * a backfill never touches a task of the same or a newer state. Returns whether anything changed.
   */
  boolean enqueue(Connection tx, TaskSpec spec, Instant now) throws SQLException {
    Existing e = select(tx, spec);
    if (e == null) {
      if (insert(tx, spec, now)) {
        return true;
      }
      e = select(tx, spec); // another node inserted it meanwhile: decide against its row
      if (e == null) {
        throw new IllegalStateException("task of " + spec.tag() + " -> " + spec.destination() + " neither inserted nor found");
      }
    }
    int order = compare(spec, e);
    if (order > 0) {
      replace(tx, e.id(), spec, now);
      return true;
    }
    return order == 0 && spec.priority() == Priority.WRITE && renew(tx, e, spec, now);
  }

  /* Last-write-wins order of the tag store: generation, then digest text (a tombstone lowest). */
  private static int compare(TaskSpec spec, Existing e) {
    int byGeneration = spec.generation().compareTo(e.generation());
    return byGeneration != 0 ? byGeneration : key(spec.digest()).compareTo(e.digest() == null ? "" : e.digest());
  }

  private static String key(@Nullable Digest d) {
    return d == null ? "" : d.toString();
  }

  private @Nullable Existing select(Connection tx, TaskSpec spec) throws SQLException {
    PreparedStatement q = statements.get(tx,
        "SELECT id, generation, digest, state FROM " + TABLE + " WHERE tag = ? AND destination = ?" + sql.forUpdate());
    q.setString(1, spec.tag().toString());
    q.setString(2, spec.destination());
    try (ResultSet rs = q.executeQuery()) {
      return rs.next() ? new Existing(rs.getLong(1), new Generation(rs.getLong(2)), rs.getString(3),
          TaskState.parse(rs.getString(4))) : null;
    }
  }

  /** Inserts the row unless one exists (inserted by another node since the select); returns whether it did. */
  private boolean insert(Connection tx, TaskSpec spec, Instant now) throws SQLException {
    PreparedStatement s = statements.get(tx, sql.insertIgnore() + TABLE + " (tag, destination, digest, dependencies, "
        + "generation, priority, state, next_attempt_ms, enqueued_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)"
        + sql.onConflictIgnore());
    s.setString(1, spec.tag().toString());
    s.setString(2, spec.destination());
    bindState(s, 3, spec);
    s.setLong(7, spec.due().toEpochMilli());
    s.setLong(8, now.toEpochMilli());
    s.setLong(9, now.toEpochMilli());
    return s.executeUpdate() == 1;
  }

  /* In an UPDATE every right-hand side sees the old row, so both CASEs test the state before it. A
   * running row keeps its lease: its worker's finish finds the version changed and requeues it. */
  private void replace(Connection tx, long id, TaskSpec spec, Instant now) throws SQLException {
    PreparedStatement s = statements.get(tx, "UPDATE " + TABLE + " SET digest = ?, dependencies = ?, generation = ?, "
        + "priority = ?, state = CASE state WHEN 'running' THEN 'running' ELSE 'pending' END, "
        + "next_attempt_ms = CASE state WHEN 'running' THEN NULL ELSE ? END, attempts = 0, last_error = NULL, "
        + "error_reason = NULL, superseded = 0, version = version + 1, enqueued_ms = ?, updated_ms = ? WHERE id = ?");
    bindState(s, 1, spec);
    s.setLong(5, spec.due().toEpochMilli());
    s.setLong(6, now.toEpochMilli());
    s.setLong(7, now.toEpochMilli());
    s.setLong(8, id);
    s.executeUpdate();
  }

  private static void bindState(PreparedStatement s, int first, TaskSpec spec) throws SQLException {
    TaskRows.setNullableString(s, first, spec.digest() == null ? null : spec.digest().toString());
    s.setString(first + 1, TaskRows.dependencies(spec.dependencies()));
    s.setLong(first + 2, spec.generation().value());
    s.setInt(first + 3, spec.priority().column);
  }

  /* Same state asked again: a finished task runs once more (an explicit request), a waiting one
   * becomes due no later than asked, a running one is already doing it. */
  private boolean renew(Connection tx, Existing e, TaskSpec spec, Instant now) throws SQLException {
    return switch (e.state()) {
      case RUNNING -> false;
      case PENDING, FAILED -> advance(tx, e.id(), spec, now);
      case DONE, DEAD -> restart(tx, e.id(), spec, now);
    };
  }

  private boolean advance(Connection tx, long id, TaskSpec spec, Instant now) throws SQLException {
    PreparedStatement s = statements.get(tx, "UPDATE " + TABLE + " SET next_attempt_ms = " + sql.least() + "(next_attempt_ms, ?), "
        + "priority = " + sql.least() + "(priority, ?), updated_ms = ? WHERE id = ?");
    s.setLong(1, spec.due().toEpochMilli());
    s.setInt(2, spec.priority().column);
    s.setLong(3, now.toEpochMilli());
    s.setLong(4, id);
    return s.executeUpdate() == 1;
  }

  private boolean restart(Connection tx, long id, TaskSpec spec, Instant now) throws SQLException {
    PreparedStatement s = statements.get(tx, "UPDATE " + TABLE + " SET state = 'pending', next_attempt_ms = ?, "
        + "priority = ?, attempts = 0, last_error = NULL, error_reason = NULL, superseded = 0, enqueued_ms = ?, "
        + "updated_ms = ? WHERE id = ?");
    s.setLong(1, spec.due().toEpochMilli());
    s.setInt(2, spec.priority().column);
    s.setLong(3, now.toEpochMilli());
    s.setLong(4, now.toEpochMilli());
    s.setLong(5, id);
    return s.executeUpdate() == 1;
  }
}
