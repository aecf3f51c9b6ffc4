package io.buildindex.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.database.LocalDb;
import io.buildindex.database.testing.PostgresFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration's copy from a real SQLite file (filled as a node fills it: the modules' migrations,
 * then rows) into a real PostgreSQL: everything arrives, a rerun changes nothing, an interrupted run
 * resumes, and newer data already in PostgreSQL is not rolled back.
 */
final class SqliteImportTest {
  static final String D1 = "sha256:" + "1".repeat(64);
  static final String D2 = "sha256:" + "2".repeat(64);
  static final String D3 = "sha256:" + "3".repeat(64);

  @TempDir Path dir;
  private PostgresFixture pg;
  private LocalDb target;
  private Path sqlite;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);

  @BeforeEach
  void setUp() throws Exception {
    pg = PostgresFixture.create();
    target = pg.open();
    sqlite = dir.resolve("index.db");
    SourceFiller.fill(sqlite, 2_500);
  }

  @AfterEach
  void tearDown() {
    pg.close();
  }

  private long count(String sql) throws SQLException {
    try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private List<String> strings(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private void assertEverythingCopied() throws SQLException {
    assertThat(count("SELECT COUNT(*) FROM tags")).isEqualTo(2_500 + 1); // one tombstone among them
    assertThat(count("SELECT COUNT(*) FROM tags WHERE digest IS NULL")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM tag_history")).isEqualTo(2_500 + 2);
    assertThat(strings("SELECT digest || '@' || generation FROM tag_history WHERE tag = 'team/app:v0' ORDER BY id"))
        .containsExactly(D1 + "@1000", D2 + "@2000");
    assertThat(count("SELECT COUNT(*) FROM replication_tasks")).isEqualTo(3); // the done one stays behind
    assertThat(strings("SELECT tag || ' ' || state || ' ' || (next_attempt_ms IS NOT NULL) FROM replication_tasks ORDER BY tag"))
        .containsExactly("team/app:v0 pending true", "team/app:v1 pending true", "team/app:v2 dead false");
    assertThat(strings("SELECT destination || ' ' || rule || ' ' || COALESCE(cursor, '-') || ' ' || done FROM replication_backfill"))
        .containsExactly("dc2:15004 ^team/ team/app:v7 0");
    assertThat(strings("SELECT destination || ' ' || runs || ' ' || repaired_total FROM replication_verification"))
        .containsExactly("dc2:15004 4 9");
  }

  @Test
  void migrate_copiesEverythingAndRerunChangesNothing() throws Exception {
    assertThat(MigrateCommand.migrate(sqlite, target, 1_000, Long.MAX_VALUE, out)).isTrue();
    assertEverythingCopied();
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("migrate: tags: 2501 rows read").contains("migrate: done");

    assertThat(MigrateCommand.migrate(sqlite, target, 1_000, Long.MAX_VALUE, out)).isTrue();
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("migrate: tags: already copied");
    assertEverythingCopied();

    // Without its progress (another path to the same file, say) the copy itself duplicates nothing.
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute("DELETE FROM sqlite_import");
    }
    assertThat(MigrateCommand.migrate(sqlite, target, 700, Long.MAX_VALUE, out)).isTrue();
    assertEverythingCopied();
  }

  @Test
  void migrate_interrupted_resumesWhereItStopped() throws Exception {
    assertThat(MigrateCommand.migrate(sqlite, target, 1_000, 2, out)).isFalse();
    assertThat(count("SELECT COUNT(*) FROM tags")).isEqualTo(2_000);
    assertThat(count("SELECT COUNT(*) FROM tag_history")).isZero();
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("run the command again to resume");

    assertThat(MigrateCommand.migrate(sqlite, target, 1_000, 3, out)).isFalse(); // tags done, history part-way
    assertThat(count("SELECT COUNT(*) FROM tag_history")).isEqualTo(2_000);

    assertThat(MigrateCommand.migrate(sqlite, target, 1_000, Long.MAX_VALUE, out)).isTrue();
    assertEverythingCopied();
  }

  @Test
  void migrate_keepsNewerDataAlreadyInPostgres() throws Exception {
    target.migrate("tagstore");
    target.migrate("tagreplication");
    try (Connection c = pg.connect(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO tags (tag, digest, generation, updated_ms) VALUES ('team/app:v0', ?, 5000, 5000), "
            + "('team/app:v1', ?, 1, 1)")) {
      s.setString(1, D3);
      s.setString(2, D3);
      s.executeUpdate();
    }
    assertThat(MigrateCommand.migrate(sqlite, target, 1_000, Long.MAX_VALUE, out)).isTrue();
    assertThat(strings("SELECT digest || '@' || generation FROM tags WHERE tag = 'team/app:v0'"))
        .containsExactly(D3 + "@5000"); // newer in PostgreSQL: kept
    assertThat(strings("SELECT digest || '@' || generation FROM tags WHERE tag = 'team/app:v1'"))
        .containsExactly(D1 + "@1001"); // older in PostgreSQL: the SQLite row wins
  }
}
