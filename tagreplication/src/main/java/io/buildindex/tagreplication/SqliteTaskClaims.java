package io.buildindex.tagreplication;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Claiming due tasks from {@code replication_tasks}: they become {@code running} under this node's
 * {@link Lease}, which no other claim selects until the lease runs out. Runs inside the caller's
 * write transaction: on SQLite one writer, so two claims never overlap; on PostgreSQL the claim
 * locks the rows it takes and skips rows another node's claim holds ({@link TaskSql#claimLock}).
 * Thread-safe.
 *
 * <p>Design: {@code next_attempt_ms} is set exactly for pending and failed rows (a CHECK holds
 * it), so a claim is a range scan of one partial index per destination and priority, however
 * many done, dead or not-yet-due tasks the table holds. Before claiming, running rows whose lease
 * ended (their node died, or stalled past its renewals) go back to pending, due at once, with
 * their attempts unchanged: the attempt did not fail, its node went away. That scan is a range of
 * the partial index of running rows by lease end (a few per worker). A node whose lease ran out
 * while it still worked finds, when it finishes, that the row is no longer its own, and records
 * nothing: the node that claims it next repeats the attempt, which the remote's generation check
 * makes harmless.
 */
final class SqliteTaskClaims {
  private static final String TABLE = TaskRows.TABLE;
  /** Running rows whose lease ended that one claim returns to the queue at most. */
  static final int EXPIRED_BATCH = 1_000;

  private final OpStatements statements = new OpStatements();
  private final TaskSql sql;
  private final Lease lease;

  SqliteTaskClaims(TaskSql sql, Lease lease) {
    this.sql = sql;
    this.lease = lease;
  }

  /** On SQLite, as the {@link Lease#LOCAL} node with the default lease. */
  SqliteTaskClaims() {
    this(TaskSql.sqlite(), new Lease(Lease.LOCAL, io.buildindex.config.TagReplicationConfig.DEFAULT_LEASE_DURATION));
  }

  /** Claimed tasks of one destination and, when fewer than asked were due, when the next one is. */
  record Claim(List<ClaimedTask> tasks, Optional<Instant> nextDue) {}

  /**
   * Returns up to {@link #EXPIRED_BATCH} running tasks whose lease ended before {@code now} to the
   * queue, due at {@code now}, without counting an attempt. Returns how many.
   */
  int expireLeases(Connection tx, Instant now) throws SQLException {
    PreparedStatement s = statements.get(tx, "UPDATE " + TABLE + " SET state = 'pending', next_attempt_ms = ?, "
        + "lease_owner = NULL, lease_until_ms = NULL, updated_ms = ? WHERE id IN (SELECT id FROM " + TABLE
        + " WHERE state = 'running' AND lease_until_ms < ? LIMIT ?" + sql.claimLock() + ")");
    s.setLong(1, now.toEpochMilli());
    s.setLong(2, now.toEpochMilli());
    s.setLong(3, now.toEpochMilli());
    s.setInt(4, EXPIRED_BATCH);
    return s.executeUpdate();
  }

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

  /**
   * Claims the task of ({@code tag}, {@code destination}) if it waits and is due at {@code now}:
   * the write that just enqueued it hands it to its lane itself ({@link TaskEngine#claimIfIdle}).
   */
  Optional<ClaimedTask> claimOne(Connection tx, String tag, String destination, Instant now) throws SQLException {
    PreparedStatement q = statements.get(tx, "SELECT " + TaskRows.COLUMNS + " FROM " + TABLE
        + " WHERE tag = ? AND destination = ? AND next_attempt_ms IS NOT NULL AND next_attempt_ms <= ?");
    q.setString(1, tag);
    q.setString(2, destination);
    q.setLong(3, now.toEpochMilli());
    ClaimedTask task;
    try (ResultSet rs = q.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      task = TaskRows.claimed(rs, now);
    }
    markRunning(tx, List.of(task), now);
    return Optional.of(task);
  }

  private List<ClaimedTask> due(Connection tx, String destination, Priority p, int limit, Instant now)
      throws SQLException {
    PreparedStatement q = statements.get(tx, "SELECT " + TaskRows.COLUMNS + " FROM " + TABLE
        + " WHERE destination = ? AND priority = ? AND next_attempt_ms IS NOT NULL AND next_attempt_ms <= ?"
        + " ORDER BY next_attempt_ms LIMIT ?" + sql.claimLock());
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
    if (tasks.isEmpty()) {
      return;
    }
    PreparedStatement s = statements.get(tx, "UPDATE " + TABLE + " SET state = 'running', next_attempt_ms = NULL, "
        + "lease_owner = ?, lease_until_ms = ?, updated_ms = ? WHERE id = ?");
    for (ClaimedTask t : tasks) {
      s.setString(1, lease.owner());
      s.setLong(2, lease.until(now).toEpochMilli());
      s.setLong(3, now.toEpochMilli());
      s.setLong(4, t.id());
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
