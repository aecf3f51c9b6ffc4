package io.buildindex.tagreplication;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The {@code replication_backfill} table: one row per (remote, rule) with its cursor. Stateless. */
final class SqliteBackfillLog {
  private final TaskSql sql;

  SqliteBackfillLog(TaskSql sql) {
    this.sql = sql;
  }

  /** On SQLite. */
  SqliteBackfillLog() {
    this(TaskSql.sqlite());
  }

  private static final String TABLE = "replication_backfill";
  private static final String COLUMNS = "destination, rule, cursor, enqueued, done, started_ms, updated_ms";

  /** A rule's backfill as stored. */
  record Row(String destination, String rule, @Nullable String cursor, long enqueued, boolean done,
             Instant started, Instant updated) {
    BackfillProgress progress() {
      String state = done ? BackfillProgress.DONE : cursor == null ? BackfillProgress.PENDING : BackfillProgress.RUNNING;
      return new BackfillProgress(destination, rule, state, cursor, enqueued, done, started, updated);
    }
  }

  /**
   * Adds a row for every configured rule that has none (never backfilled) and deletes rows of
   * rules no longer configured, so a rule that is removed and later added again is backfilled again
   * (its tasks were cancelled when it went). Returns how many rows were added.
   */
  int sync(Connection tx, RemoteRules rules, Instant now) throws SQLException {
    Set<List<String>> configured = new HashSet<>();
    int added = 0;
    try (PreparedStatement s = tx.prepareStatement(sql.insertIgnore() + TABLE
        + " (destination, rule, started_ms, updated_ms) VALUES (?, ?, ?, ?)" + sql.onConflictIgnore())) {
      for (RemoteRules.Rule r : rules.rules()) {
        configured.add(List.of(r.destination(), r.regex()));
        s.setString(1, r.destination());
        s.setString(2, r.regex());
        s.setLong(3, now.toEpochMilli());
        s.setLong(4, now.toEpochMilli());
        added += s.executeUpdate();
      }
    }
    for (Row row : all(tx)) {
      if (!configured.contains(List.of(row.destination(), row.rule()))) {
        delete(tx, row);
      }
    }
    return added;
  }

  private static void delete(Connection tx, Row row) throws SQLException {
    try (PreparedStatement s = tx.prepareStatement("DELETE FROM " + TABLE + " WHERE destination = ? AND rule = ?")) {
      s.setString(1, row.destination());
      s.setString(2, row.rule());
      s.executeUpdate();
    }
  }

  List<Row> all(Connection c) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE + " ORDER BY started_ms, destination, rule")) {
      return rows(q);
    }
  }

  /** The oldest rule whose backfill is not done. */
  Optional<Row> nextUnfinished(Connection c) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE
        + " WHERE done = 0 ORDER BY started_ms, destination, rule LIMIT 1")) {
      return rows(q).stream().findFirst();
    }
  }

  /** Moves the rule's cursor past {@code step}, adding {@code enqueued}; in the transaction of those tasks. */
  void advance(Connection tx, Row row, Backfiller.Step step, int enqueued, Instant now) throws SQLException {
    try (PreparedStatement s = tx.prepareStatement("UPDATE " + TABLE + " SET cursor = ?, enqueued = enqueued + ?, "
        + "done = ?, updated_ms = ? WHERE destination = ? AND rule = ?")) {
      TaskRows.setNullableString(s, 1, step.cursor());
      s.setInt(2, enqueued);
      s.setInt(3, step.done() ? 1 : 0);
      s.setLong(4, now.toEpochMilli());
      s.setString(5, row.destination());
      s.setString(6, row.rule());
      s.executeUpdate();
    }
  }

  private static List<Row> rows(PreparedStatement q) throws SQLException {
    List<Row> out = new ArrayList<>();
    try (ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getInt(5) != 0,
            Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7))));
      }
    }
    return out;
  }
}
