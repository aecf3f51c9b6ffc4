package io.buildindex.tagreplication;

import io.buildindex.tagstore.Tag;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code replication_verification} table (one row per (remote, rule): its last run and counts)
 * and the verification marks on {@code replication_tasks}. Stateless.
 */
final class SqliteVerificationLog {
  private final TaskSql sql;

  SqliteVerificationLog(TaskSql sql) {
    this.sql = sql;
  }

  /** On SQLite. */
  SqliteVerificationLog() {
    this(TaskSql.sqlite());
  }

  private static final String TABLE = "replication_verification";
  private static final String COLUMNS = "destination, rule, runs, created_ms, last_run_ms, last_success_ms, last_error, "
      + "buckets_compared, differing_buckets, mismatches, repaired, repaired_total";

  /** A rule's verification as stored; {@code created} is when the rule was first seen configured. */
  record Row(VerificationProgress progress, Instant created) {
    String destination() {
      return progress.remote();
    }

    String rule() {
      return progress.rule();
    }
  }

  /** What one successful run found. */
  record Outcome(int bucketsCompared, int differingBuckets, long mismatches, long repaired) {}

  /** A tag's mark at one destination: when verification last found it missing, and its task's state. */
  record Mark(@Nullable Instant mismatch, TaskState state) {}

  /** Adds a row for every configured rule that has none and deletes rows of rules no longer configured. */
  void sync(Connection tx, RemoteRules rules, Instant now) throws SQLException {
    Set<List<String>> configured = new HashSet<>();
    try (PreparedStatement s = tx.prepareStatement(sql.insertIgnore() + TABLE
        + " (destination, rule, created_ms) VALUES (?, ?, ?)" + sql.onConflictIgnore())) {
      for (RemoteRules.Rule r : rules.rules()) {
        configured.add(List.of(r.destination(), r.regex()));
        s.setString(1, r.destination());
        s.setString(2, r.regex());
        s.setLong(3, now.toEpochMilli());
        s.executeUpdate();
      }
    }
    try (PreparedStatement d = tx.prepareStatement("DELETE FROM " + TABLE + " WHERE destination = ? AND rule = ?")) {
      for (Row row : all(tx)) {
        if (!configured.contains(List.of(row.destination(), row.rule()))) {
          d.setString(1, row.destination());
          d.setString(2, row.rule());
          d.executeUpdate();
        }
      }
    }
  }

  List<Row> all(Connection c) throws SQLException {
    List<Row> out = new ArrayList<>();
    try (PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE + " ORDER BY destination, rule");
         ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        out.add(row(rs));
      }
    }
    return out;
  }

  void succeeded(Connection tx, RemoteRules.Rule rule, Instant started, Outcome o) throws SQLException {
    try (PreparedStatement s = tx.prepareStatement("UPDATE " + TABLE + " SET runs = runs + 1, last_run_ms = ?, "
        + "last_success_ms = ?, last_error = NULL, buckets_compared = ?, differing_buckets = ?, mismatches = ?, "
        + "repaired = ?, repaired_total = repaired_total + ? WHERE destination = ? AND rule = ?")) {
      s.setLong(1, started.toEpochMilli());
      s.setLong(2, started.toEpochMilli());
      s.setInt(3, o.bucketsCompared());
      s.setInt(4, o.differingBuckets());
      s.setLong(5, o.mismatches());
      s.setLong(6, o.repaired());
      s.setLong(7, o.repaired());
      s.setString(8, rule.destination());
      s.setString(9, rule.regex());
      s.executeUpdate();
    }
  }

  void failed(Connection tx, RemoteRules.Rule rule, Instant started, String error) throws SQLException {
    try (PreparedStatement s = tx.prepareStatement("UPDATE " + TABLE + " SET runs = runs + 1, last_run_ms = ?, "
        + "last_error = ? WHERE destination = ? AND rule = ?")) {
      s.setLong(1, started.toEpochMilli());
      s.setString(2, error);
      s.setString(3, rule.destination());
      s.setString(4, rule.regex());
      s.executeUpdate();
    }
  }

  /**
   * Makes a done or dead task of exactly {@code spec}'s state run again, at backfill priority: the
   * remote lost what the task once gave it. {@link SqliteTaskQueue#enqueue} leaves such a task
   * alone for a backfill, rightly, since nothing says the remote lost anything. Returns whether it did.
   */
  boolean restart(Connection tx, TaskSpec spec, Instant now) throws SQLException {
    try (PreparedStatement s = tx.prepareStatement("UPDATE " + TaskRows.TABLE + " SET state = 'pending', "
        + "next_attempt_ms = ?, priority = ?, attempts = 0, last_error = NULL, error_reason = NULL, superseded = 0, "
        + "enqueued_ms = ?, updated_ms = ? WHERE tag = ? AND destination = ? AND generation = ? "
        + "AND state IN ('done', 'dead')")) {
      s.setLong(1, spec.due().toEpochMilli());
      s.setInt(2, spec.priority().column);
      s.setLong(3, now.toEpochMilli());
      s.setLong(4, now.toEpochMilli());
      s.setString(5, spec.tag().toString());
      s.setString(6, spec.destination());
      s.setLong(7, spec.generation().value());
      return s.executeUpdate() == 1;
    }
  }

  /** Records on the task of (tag, destination) that verification found the remote missing it at {@code at}. */
  void markMismatch(Connection tx, Tag tag, String destination, Instant at) throws SQLException {
    try (PreparedStatement s = tx.prepareStatement("UPDATE " + TaskRows.TABLE
        + " SET verification_mismatch_ms = ? WHERE tag = ? AND destination = ?")) {
      s.setLong(1, at.toEpochMilli());
      s.setString(2, tag.toString());
      s.setString(3, destination);
      s.executeUpdate();
    }
  }

  /** The marks of {@code tag}'s tasks, by destination. */
  Map<String, Mark> marks(Connection c, Tag tag) throws SQLException {
    Map<String, Mark> out = new HashMap<>();
    try (PreparedStatement q = c.prepareStatement("SELECT destination, verification_mismatch_ms, state FROM "
        + TaskRows.TABLE + " WHERE tag = ?")) {
      q.setString(1, tag.toString());
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new Mark(instantOrNull(rs, 2), TaskState.parse(rs.getString(3))));
        }
      }
    }
    return out;
  }

  private static Row row(ResultSet rs) throws SQLException {
    Instant lastRun = instantOrNull(rs, 5);
    Instant lastSuccess = instantOrNull(rs, 6);
    String error = rs.getString(7);
    String state = lastRun == null ? VerificationProgress.NEVER : error == null ? VerificationProgress.OK : VerificationProgress.FAILED;
    return new Row(new VerificationProgress(rs.getString(1), rs.getString(2), state, rs.getLong(3), lastRun, lastSuccess,
        error, rs.getInt(8), rs.getInt(9), rs.getLong(10), rs.getLong(11), rs.getLong(12)),
        Instant.ofEpochMilli(rs.getLong(4)));
  }

  private static @Nullable Instant instantOrNull(ResultSet rs, int column) throws SQLException {
    long ms = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(ms);
  }
}
