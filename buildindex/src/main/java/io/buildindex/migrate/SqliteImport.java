package io.buildindex.migrate;

import io.buildindex.database.LocalDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Copies a SQLite node's data into another database (PostgreSQL, for shared mode), in batches that
 * each commit together with the progress they make, so an interrupted run resumes where it stopped
 * and a finished one does nothing the second time. Every write is idempotent on its own as well
 * ({@link Parts}), so copying again from the start (another source path, a lost progress table)
 * duplicates nothing and rolls nothing back. Not thread-safe: one run at a time per target.
 *
 * <p>Design: progress is a row per (source, part) in the target's {@code sqlite_import} table:
 * the last source key copied and whether the part is done. The source is named by its absolute
 * path; both databases must already carry the tagstore and tagreplication migrations.
 */
final class SqliteImport {
  /** Rows per batch (one read, one committed write): big enough to amortize a commit, small enough to resume cheaply. */
  static final int DEFAULT_BATCH = 1_000;

  private final LocalDb source;
  private final LocalDb target;
  private final String sourceName;
  private final int batch;

  /** What one part of a run did. */
  record PartResult(String part, long read, long changed, boolean alreadyDone) {}

  SqliteImport(LocalDb source, LocalDb target, String sourceName, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch < 1: " + batch);
    }
    this.source = source;
    this.target = target;
    this.sourceName = sourceName;
    this.batch = batch;
  }

  /**
   * Copies every part, reporting each on {@code progress}; stops after {@code maxBatches} committed
   * batches (an interruption, for tests; {@code Long.MAX_VALUE} to finish). Returns the parts' results;
   * the run is complete when every part is done.
   */
  List<PartResult> run(long maxBatches, Consumer<String> progress) {
    target.write(SqliteImport::createProgressTable);
    List<PartResult> results = new ArrayList<>();
    long budget = maxBatches;
    for (CopyPart part : Parts.ALL) {
      Progress at = target.read(c -> progress(c, part));
      if (at.done()) {
        results.add(new PartResult(part.name(), 0, 0, true));
        continue;
      }
      long read = 0;
      long changed = 0;
      String cursor = at.cursor();
      while (budget > 0) {
        String from = cursor;
        List<Object[]> rows = source.read(c -> part.read(c, from, batch));
        boolean last = rows.size() < batch;
        String next = rows.isEmpty() ? cursor : part.cursorOf(rows.get(rows.size() - 1));
        changed += target.write(tx -> {
          int n = part.write(tx, rows);
          saveProgress(tx, part, next, rows.size(), last);
          return n;
        });
        budget--;
        read += rows.size();
        cursor = next;
        if (last) {
          break;
        }
      }
      results.add(new PartResult(part.name(), read, changed, false));
      progress.accept(part.name() + ": " + read + " rows read, " + changed + " written");
      if (budget == 0) {
        break;
      }
    }
    return results;
  }

  /** Whether every part of this source is copied. */
  boolean complete() {
    target.write(SqliteImport::createProgressTable);
    return target.read(c -> {
      for (CopyPart part : Parts.ALL) {
        if (!progress(c, part).done()) {
          return false;
        }
      }
      return true;
    });
  }

  private record Progress(@Nullable String cursor, boolean done) {}

  private static Void createProgressTable(Connection tx) throws SQLException {
    try (Statement s = tx.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS sqlite_import (source TEXT NOT NULL, part TEXT NOT NULL, cursor TEXT, "
          + "rows_read BIGINT NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (source, part))");
    }
    return null;
  }

  private Progress progress(Connection c, CopyPart part) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT cursor, done FROM sqlite_import WHERE source = ? AND part = ?")) {
      q.setString(1, sourceName);
      q.setString(2, part.name());
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? new Progress(rs.getString(1), rs.getInt(2) != 0) : new Progress(null, false);
      }
    }
  }

  private void saveProgress(Connection tx, CopyPart part, @Nullable String cursor, int rows, boolean done)
      throws SQLException {
    try (PreparedStatement s = tx.prepareStatement("INSERT INTO sqlite_import (source, part, cursor, rows_read, done) "
        + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, part) DO UPDATE SET cursor = EXCLUDED.cursor, "
        + "rows_read = sqlite_import.rows_read + EXCLUDED.rows_read, done = EXCLUDED.done")) {
      s.setString(1, sourceName);
      s.setString(2, part.name());
      s.setString(3, cursor);
      s.setLong(4, rows);
      s.setInt(5, done ? 1 : 0);
      s.executeUpdate();
    }
  }
}
