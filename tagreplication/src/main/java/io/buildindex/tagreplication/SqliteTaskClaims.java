package io.buildindex.tagreplication;

import io.buildindex.database.StatementCache;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Claiming due tasks from {@code replication_tasks}: they become {@code running}, which no other
 * claim selects. Runs inside the caller's write transaction (one writer, so two claims never
 * overlap). Stateless.
 *
 * <p>Design: {@code next_attempt_ms} is set exactly for pending and failed rows (a CHECK holds
 * it), so a claim is a range scan of one partial index per destination and priority, however
 * many done, dead or not-yet-due tasks the table holds.
 */
final class SqliteTaskClaims {
  private static final String TABLE = TaskRows.TABLE;
  /** Used only inside write transactions, so only by the database's writer thread. */
  private final StatementCache statements = new StatementCache();

  /** Claimed tasks of one destination and, when fewer than asked were due, when the next one is. */
  record Claim(List<ClaimedTask> tasks, Optional<Instant> nextDue) {}

  /** Claims up to {@code max} due tasks of {@code destination}, writes before backfill, oldest due first. */
  Claim claim(Connection tx, String destination, int max, Instant now) throws SQLException {
    List<ClaimedTask> tasks = new ArrayList<>();
    for (Priority p : Priority.values()) {
      if (tasks.size() < max) {
        tasks.addAll(due(tx, destination, p, max - tasks.size(), now));
      }
    }
    markRunning(tx, tasks, now);
    return new Claim(tasks, tasks.size() < max ? nextDue(tx, destination) : Optional.empty());
  }

  private List<ClaimedTask> due(Connection tx, String destination, Priority p, int limit, Instant now)
      throws SQLException {
    PreparedStatement q = statements.get(tx, "SELECT " + TaskRows.COLUMNS + " FROM " + TABLE
        + " WHERE destination = ? AND priority = ? AND next_attempt_ms IS NOT NULL AND next_attempt_ms <= ?"
        + " ORDER BY next_attempt_ms LIMIT ?");
    q.setString(1, destination);
    q.setInt(2, p.column);
    q.setLong(3, now.toEpochMilli());
    q.setInt(4, limit);
    List<ClaimedTask> out = new ArrayList<>();
    try (ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        out.add(TaskRows.claimed(rs, now));
      }
    }
    return out;
  }

  private void markRunning(Connection tx, List<ClaimedTask> tasks, Instant now) throws SQLException {
    PreparedStatement s = statements.get(tx,
        "UPDATE " + TABLE + " SET state = 'running', next_attempt_ms = NULL, updated_ms = ? WHERE id = ?");
    for (ClaimedTask t : tasks) {
      s.setLong(1, now.toEpochMilli());
      s.setLong(2, t.id());
      s.addBatch();
    }
    s.executeBatch();
  }

  /** When the earliest waiting task of {@code destination} is due; empty when none waits. */
  Optional<Instant> nextDue(Connection c, String destination) throws SQLException {
    Optional<Instant> earliest = Optional.empty();
    for (Priority p : Priority.values()) {
      PreparedStatement q = statements.get(c, "SELECT MIN(next_attempt_ms) AS due FROM " + TABLE
          + " WHERE destination = ? AND priority = ? AND next_attempt_ms IS NOT NULL");
      q.setString(1, destination);
      q.setInt(2, p.column);
      try (ResultSet rs = q.executeQuery()) {
        Instant due = rs.next() ? TaskRows.instantOrNull(rs, "due") : null;
        if (due != null && (earliest.isEmpty() || due.isBefore(earliest.get()))) {
          earliest = Optional.of(due);
        }
      }
    }
    return earliest;
  }
}
