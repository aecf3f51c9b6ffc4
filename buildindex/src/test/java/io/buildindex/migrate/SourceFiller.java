package io.buildindex.migrate;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.database.Databases;
import io.buildindex.database.LocalDb;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * Makes a SQLite node's database as the migration finds it: the modules' migrations applied, then
 * {@code tags} tags {@code team/app:v<i>} (digest 1, generation 1000 + i, one history entry each;
 * v0 overwritten with digest 2 at generation 2000), a tombstone {@code team/gone:v1}, four
 * replication tasks to {@code dc2:15004} (v0 pending, v1 running, v2 dead, v3 done), a backfill
 * cursor and a verification row.
 */
final class SourceFiller {
  private SourceFiller() {}

  static void fill(Path file, int tags) {
    try (LocalDb db = Databases.sqlite(file, new MetricRegistry())) {
      db.migrate("tagstore");
      db.migrate("tagreplication");
      db.write(tx -> {
        try (PreparedStatement t = tx.prepareStatement("INSERT INTO tags VALUES (?, ?, ?, ?)");
             PreparedStatement h = tx.prepareStatement(
                 "INSERT INTO tag_history (tag, digest, generation, time_ms) VALUES (?, ?, ?, ?)")) {
          for (int i = 0; i < tags; i++) {
            String tag = "team/app:v" + i;
            t.setString(1, tag);
            t.setString(2, i == 0 ? SqliteImportTest.D2 : SqliteImportTest.D1);
            t.setLong(3, i == 0 ? 2000 : 1000 + i);
            t.setLong(4, 1000 + i);
            t.addBatch();
            h.setString(1, tag);
            h.setString(2, SqliteImportTest.D1);
            h.setLong(3, 1000 + i);
            h.setLong(4, 1000 + i);
            h.addBatch();
          }
          h.setString(1, "team/app:v0");
          h.setString(2, SqliteImportTest.D2);
          h.setLong(3, 2000);
          h.setLong(4, 2000);
          h.addBatch();
          h.setString(1, "team/gone:v1");
          h.setString(2, SqliteImportTest.D1);
          h.setLong(3, 500);
          h.setLong(4, 500);
          h.addBatch();
          t.setString(1, "team/gone:v1");
          t.setString(2, null);
          t.setLong(3, 600);
          t.setLong(4, 600);
          t.addBatch();
          t.executeBatch();
          h.executeBatch();
        }
        try (Statement s = tx.createStatement()) {
          String columns = "INSERT INTO replication_tasks (tag, destination, digest, dependencies, generation, priority, "
              + "state, next_attempt_ms, attempts, enqueued_ms, updated_ms, lease_owner, lease_until_ms) VALUES ";
          s.execute(columns + "('team/app:v0', 'dc2:15004', '" + SqliteImportTest.D2 + "', '', 2000, 0, 'pending', 3000, 0, 3000, 3000, NULL, NULL)");
          s.execute(columns + "('team/app:v1', 'dc2:15004', '" + SqliteImportTest.D1 + "', '', 1001, 0, 'running', NULL, 1, 3000, 3100, 'local', 33100)");
          s.execute(columns + "('team/app:v2', 'dc2:15004', '" + SqliteImportTest.D1 + "', '', 1002, 0, 'dead', NULL, 5, 3000, 3200, NULL, NULL)");
          s.execute(columns + "('team/app:v3', 'dc2:15004', '" + SqliteImportTest.D1 + "', '', 1003, 0, 'done', NULL, 1, 3000, 3300, NULL, NULL)");
          s.execute("INSERT INTO replication_backfill (destination, rule, cursor, enqueued, done, started_ms, updated_ms) "
              + "VALUES ('dc2:15004', '^team/', 'team/app:v7', 8, 0, 100, 200)");
          s.execute("INSERT INTO replication_verification (destination, rule, runs, created_ms, last_run_ms, "
              + "last_success_ms, repaired_total) VALUES ('dc2:15004', '^team/', 4, 1, 400, 400, 9)");
        }
        return null;
      });
    }
  }
}
